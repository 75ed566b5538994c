package sqs

import (
	"context"
	"runtime"
	"sync"
)

// maxGroupMessages caps how many messages one combined send stores.
const maxGroupMessages = 256

// sendGroup is the sends to one queue that share a write transaction. The
// first sender (the leader) submits it to the store; senders that arrive
// while it waits for the store's writer join it instead of submitting their
// own. The store runs the transaction's function once the writer reaches it
// and the group closes then: the messages of every sender that joined before
// are stored with one statement per ten rows, the others start the next
// group. Nobody waits to be joined: a group is submitted at once and only
// fills while it would wait anyway.
type sendGroup struct {
	todo  []*pending // guarded by combiner.mu until the group is taken
	taken bool
	done  chan struct{}
	err   error
	// answered is set, and done closed, by the store once the group's
	// transaction committed: the senders that joined wake then, without
	// waiting for the leader to be scheduled first.
	answered bool
}

// combiner holds the open send group of each queue.
type combiner struct {
	mu   sync.Mutex
	open map[int64]*sendGroup
}

func newCombiner() *combiner { return &combiner{open: map[int64]*sendGroup{}} }

// join adds todo to the queue's open group, or opens a new one; leader is
// true for the sender that opened it.
func (c *combiner) join(queueID int64, todo []*pending) (g *sendGroup, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g = c.open[queueID]
	if g != nil && len(g.todo)+len(todo) <= maxGroupMessages {
		g.todo = append(g.todo, todo...)
		return g, false
	}
	g = &sendGroup{todo: todo, done: make(chan struct{})}
	c.open[queueID] = g
	return g, true
}

// take closes g to new senders and returns its messages. Calling it again
// (a store that retries the transaction) returns the same messages.
func (c *combiner) take(queueID int64, g *sendGroup) []*pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !g.taken {
		g.taken = true
		if c.open[queueID] == g {
			delete(c.open, queueID)
		}
	}
	return g.todo
}

// maxYields bounds how often a leader lets other goroutines run before it
// submits its group.
const maxYields = 4

// gather lets the goroutines that are ready to run (requests already read
// from their connections) run before g is submitted, so that those sending
// to the same queue join g instead of opening the next group: fewer, larger
// commits for the same messages. It yields again while yielding brought new
// senders, at most maxYields times; when nothing else is ready to run a
// yield returns at once, so an idle server adds no latency.
func (c *combiner) gather(g *sendGroup) {
	n := c.size(g)
	for range maxYields {
		runtime.Gosched()
		m := c.size(g)
		if m == n || m >= maxGroupMessages {
			return
		}
		n = m
	}
}

func (c *combiner) size(g *sendGroup) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(g.todo)
}

// storeSends stores prepared messages durably, combined with the concurrent sends
// to the same queue, and returns once they committed or failed. The outcome
// is that of the shared transaction, whatever ctx does once the messages
// joined a group (as Store.Update waits once a transaction was submitted).
func (s *Service) storeSends(ctx context.Context, q *Queue, todo []*pending) error {
	g, leader := s.sends.join(q.ID, todo)
	if !leader {
		<-g.done
		return g.err
	}
	s.sends.gather(g)
	// The leader's cancellation must not fail the senders that joined it.
	err := s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		if err := s.insertAll(tx, s.sends.take(q.ID, g), s.clock.Now()); err != nil {
			return err
		}
		tx.AfterCommit(func() {
			g.answered = true
			close(g.done)
			s.wake.notify(q.ID)
		})
		return nil
	})
	// A transaction that failed before its function ran leaves the group
	// open: close it so that no one joins a group already answered.
	s.sends.take(q.ID, g)
	if !g.answered { // Update returns after the functions AfterCommit ran
		g.err = err
		close(g.done)
	}
	return err
}
