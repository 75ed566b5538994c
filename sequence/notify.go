package sequence

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// notifier broadcasts "open .triggered events changed" to long-pollers of
// GET /event/triggered (a baton extension: ?wait=).
type notifier struct {
	mu      sync.Mutex
	ch      chan struct{}
	stopped bool
	waiting atomic.Int64
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
		if n.stopped {
			close(n.ch)
		}
	}
	return n.ch
}

// stop releases every waiter now and later (server shutdown).
func (n *notifier) stop() {
	n.mu.Lock()
	n.stopped = true
	n.mu.Unlock()
	n.signal()
}

func (n *notifier) signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// ReleaseWaiters ends every long-poll of GET /event/triggered at once; call
// it when the server shuts down so graceful shutdown does not wait for them.
func (en *Engine) ReleaseWaiters() { en.opened.stop() }

// OpenEventsChanged returns a channel closed the next time a .triggered event
// opens (after its transaction committed).
func (en *Engine) OpenEventsChanged() <-chan struct{} { return en.opened.wait() }

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

// SignalOpen wakes long-polls of GET /event/triggered: other engines call it
// after a commit that opened a .triggered event (the evaluator's get-sli).
func (en *Engine) SignalOpen() { en.opened.signal() }
