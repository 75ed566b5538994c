package sqlite

import (
	"bytes"
	"sync"

	"github.com/batonhq/baton/keptn"
)

// execCache spares the writer goroutine the JSON decoding of running
// sequence executions. Every task event loads the execution it answers, and
// decoding its body took most of that load on the single writer.
//
// When PutExecution stores a running execution, it hands the body it wrote
// to a background goroutine that decodes it off the writer and keeps the
// result beside those bytes. A later load reads the row as before and uses
// the cached execution only if the stored body is byte for byte the one it
// was decoded from, so the answer is always exactly what decoding the row
// would give: a savepoint or group commit that rolled back, a change made
// elsewhere (a deletion, a store copy) or a decode that has not finished yet
// all show up as different bytes or no entry, and the load decodes the row
// itself. A cached execution is handed out once (the engine mutates what it
// loads) and is never touched while it sits in the cache.
//
// The cache lives in one process beside its SQLite file; the PostgreSQL
// store, shared by replicas, has none.
type execCache struct {
	mu      sync.Mutex
	entries map[int64]execEntry // by SequenceExecution.Seq
	start   sync.Once
	queue   chan execEntry // bodies to decode
}

type execEntry struct {
	seq  int64
	body []byte
	e    *keptn.SequenceExecution // nil in the queue
}

const (
	// execCacheSize bounds the cache (running executions are few; the
	// bound only matters for ones that wait or stall).
	execCacheSize = 4096
	// execQueueSize bounds the bodies waiting to be decoded; when it is
	// full a body is simply not cached.
	execQueueSize = 1024
)

// offer schedules body, just written for the execution seq, for decoding.
// The caller must not modify body afterwards. It never blocks.
func (c *execCache) offer(db *DB, seq int64, body []byte) {
	if c == nil {
		return
	}
	c.start.Do(func() {
		c.entries = map[int64]execEntry{}
		c.queue = make(chan execEntry, execQueueSize)
		go c.decode(db.closed)
	})
	select {
	case c.queue <- execEntry{seq: seq, body: body}:
	default:
	}
}

// forget drops the entry of an execution that ended (it is rarely loaded
// again, so it would only take room).
func (c *execCache) forget(seq int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.entries, seq)
	c.mu.Unlock()
}

// take returns the cached execution decoded from exactly body and removes it
// from the cache, or nil.
func (c *execCache) take(seq int64, body []byte) *keptn.SequenceExecution {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ent, ok := c.entries[seq]
	if !ok {
		return nil
	}
	delete(c.entries, seq)
	if !bytes.Equal(ent.body, body) {
		return nil
	}
	return ent.e
}

// decode decodes offered bodies until closed is closed.
func (c *execCache) decode(closed <-chan struct{}) {
	for {
		var ent execEntry
		select {
		case ent = <-c.queue:
		case <-closed:
			return
		}
		e, err := keptn.DecodeExecution(ent.seq, ent.body)
		if err != nil {
			continue // the load will decode (and report) it
		}
		ent.e = e
		c.mu.Lock()
		if _, ok := c.entries[ent.seq]; !ok && len(c.entries) >= execCacheSize {
			for k := range c.entries { // evict any one
				delete(c.entries, k)
				break
			}
		}
		c.entries[ent.seq] = ent
		c.mu.Unlock()
	}
}
