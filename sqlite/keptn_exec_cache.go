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
// When PutExecution stores a running execution, it keeps a copy of it
// (keptn.DecodedCopy: what decoding the body gives, made without decoding)
// beside the body it wrote. A later load reads the row as before and uses
// the cached execution only if the stored body is byte for byte the one the
// copy was made with, so the answer is always exactly what decoding the row
// would give: a savepoint or group commit that rolled back or a change made
// elsewhere (a deletion, a store copy) shows up as different bytes or no
// entry, and the load decodes the row itself. A cached execution is handed
// out once (the engine mutates what it loads) and is never touched while it
// sits in the cache; the engine's own execution, which it may go on
// changing, is never cached.
//
// The cache lives in one process beside its SQLite file; the PostgreSQL
// store, shared by replicas, has none.
type execCache struct {
	mu      sync.Mutex
	entries map[int64]execEntry // by SequenceExecution.Seq
}

type execEntry struct {
	body []byte
	e    *keptn.SequenceExecution
}

// execCacheSize bounds the cache (running executions are few; the bound
// only matters for ones that wait or stall).
const execCacheSize = 4096

// offer caches a copy of e, just written with body. The caller must not
// modify body afterwards.
func (c *execCache) offer(e *keptn.SequenceExecution, body []byte) {
	if c == nil {
		return
	}
	cp := keptn.DecodedCopy(e)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cp == nil { // a value only decoding can tell; the load decodes
		delete(c.entries, e.Seq)
		return
	}
	if c.entries == nil {
		c.entries = map[int64]execEntry{}
	}
	if _, ok := c.entries[e.Seq]; !ok && len(c.entries) >= execCacheSize {
		for k := range c.entries { // evict any one
			delete(c.entries, k)
			break
		}
	}
	c.entries[e.Seq] = execEntry{body: body, e: cp}
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

// take returns the cached execution copied for exactly body and removes it
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
