package sequence

import (
	"sync"
	"time"
)

// notifier broadcasts "open .triggered events changed" to long-pollers of
// GET /event/triggered (a baton extension: ?wait=).
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// OpenEventsChanged returns a channel closed the next time a .triggered event
// opens (after its transaction committed).
func (en *Engine) OpenEventsChanged() <-chan struct{} { return en.opened.wait() }

// Now returns the engine's clock time (open events are served once due).
func (en *Engine) Now() time.Time { return en.clock.Now() }
