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
//
// A type keeps its channel only while someone waits on it, and at most
// maxWaitedTypes types have one: the pollers of further types share one
// overflow channel that every signal closes, as if each were of every type.
// No waiter is ever woken to make room (it would wait again at once, and
// wake the next one).
type notifier struct {
	mu       sync.Mutex
	types    map[string]*typeWaiters
	overflow chan struct{} // for types past maxWaitedTypes; nil until needed
	stopped  bool
	waiting  atomic.Int64
}

// typeWaiters is the channel of one type and how many wait on it.
type typeWaiters struct {
	ch   chan struct{}
	refs int
}

// maxWaitedTypes bounds the types with a channel of their own.
const maxWaitedTypes = 1024

// wait returns a channel closed at the next signal of typ (or of every
// type), and release, to be called once the caller no longer waits on it.
func (n *notifier) wait(typ string) (ch <-chan struct{}, release func()) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.stopped {
		c := make(chan struct{})
		close(c)
		return c, func() {}
	}
	w := n.types[typ]
	if w == nil {
		if len(n.types) >= maxWaitedTypes {
			if n.overflow == nil {
				n.overflow = make(chan struct{})
			}
			return n.overflow, func() {}
		}
		if n.types == nil {
			n.types = map[string]*typeWaiters{}
		}
		w = &typeWaiters{ch: make(chan struct{})}
		n.types[typ] = w
	}
	w.refs++
	return w.ch, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if w.refs--; w.refs == 0 && n.types[typ] == w {
			delete(n.types, typ)
		}
	}
}

// stop releases every waiter now and later (server shutdown).
func (n *notifier) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stopped = true
	n.signalAllLocked()
}

// signal wakes the waiters of type typ, and those of the overflow.
func (n *notifier) signal(typ string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if w := n.types[typ]; w != nil {
		close(w.ch)
		delete(n.types, typ)
	}
	n.wakeOverflowLocked()
}

// signalAll wakes every waiter.
func (n *notifier) signalAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.signalAllLocked()
}

func (n *notifier) signalAllLocked() {
	for _, w := range n.types {
		close(w.ch)
	}
	clear(n.types)
	n.wakeOverflowLocked()
}

func (n *notifier) wakeOverflowLocked() {
	if n.overflow != nil {
		close(n.overflow)
		n.overflow = nil
	}
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
// SignalOpen, and release, which the caller calls once when it no longer
// waits on the channel.
func (en *Engine) OpenEventsChanged(eventType string) (changed <-chan struct{}, release func()) {
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
