package sequence

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonhq/baton/keptn"
)

// notifier tells long-pollers of GET /event/triggered (a baton extension:
// ?wait=) that open .triggered events of their type changed. Each type has
// a channel of its own, so opening a task wakes only its own pollers, not
// every poller of every task (each of which would query again).
type notifier struct {
	mu      sync.Mutex
	chs     map[string]chan struct{} // by event type, while someone waits
	stopped bool
	waiting atomic.Int64
}

// maxWaitedTypes bounds the types with a channel: past it every waiter is
// woken (and waits again), so types polled and never opened do not pile up.
const maxWaitedTypes = 1024

func (n *notifier) wait(typ string) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	ch := n.chs[typ]
	if ch != nil {
		return ch
	}
	if len(n.chs) >= maxWaitedTypes {
		n.signalAllLocked()
	}
	ch = make(chan struct{})
	if n.stopped {
		close(ch)
		return ch
	}
	if n.chs == nil {
		n.chs = map[string]chan struct{}{}
	}
	n.chs[typ] = ch
	return ch
}

// stop releases every waiter now and later (server shutdown).
func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	n.signalAllLocked()
}

// signal wakes the waiters of type typ.
func (n *notifier) signal(typ string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if ch := n.chs[typ]; ch != nil {
		close(ch)
		delete(n.chs, typ)
	}
}

// signalAll wakes every waiter.
func (n *notifier) signalAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.signalAllLocked()
}

func (n *notifier) signalAllLocked() {
	for _, ch := range n.chs {
		close(ch)
	}
	clear(n.chs)
}

// signalOpened wakes the long-polls of eventType once tx, which opened a
// .triggered event of that type, committed.
func (en *Engine) signalOpened(tx keptn.Tx, eventType string) {
	tx.AfterCommit(func() { en.opened.signal(eventType) })
}

// ReleaseWaiters ends every long-poll of GET /event/triggered at once; call
// it when the server shuts down so graceful shutdown does not wait for them.
func (en *Engine) ReleaseWaiters() { en.opened.stop() }

// OpenEventsChanged returns a channel closed the next time a .triggered event
// of type eventType opens (after its transaction committed), or at any
// SignalOpen.
func (en *Engine) OpenEventsChanged(eventType string) <-chan struct{} {
	return en.opened.wait(eventType)
}

// Now returns the engine's clock time (open events are served once due).
func (en *Engine) Now() time.Time { return en.clock.Now() }

// Released reports whether ReleaseWaiters was called.
func (en *Engine) Released() bool {
	en.opened.mu.Lock()
	defer en.opened.mu.Unlock()
	return en.opened.stopped
}

// WaitOpen blocks until changed (from OpenEventsChanged) is closed, d has
// passed, ctx ends or ReleaseWaiters is called.
func (en *Engine) WaitOpen(ctx context.Context, changed <-chan struct{}, d time.Duration) {
	en.opened.waiting.Add(1)
	defer en.opened.waiting.Add(-1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
	case <-ctx.Done():
	}
}

// Waiting returns how many requests are blocked in WaitOpen.
func (en *Engine) Waiting() int { return int(en.opened.waiting.Load()) }

// SignalOpen wakes every long-poll of GET /event/triggered: other engines
// call it after a commit that opened a .triggered event (the evaluator's
// get-sli), replicas after another replica's commit.
func (en *Engine) SignalOpen() { en.opened.signalAll() }
