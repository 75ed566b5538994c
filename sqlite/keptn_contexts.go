package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// contextSeqs remembers, for the writer, the first seq of contexts whose
// event_contexts row is committed. Such a row never changes (events and
// their contexts are never deleted), so an entry is exact for good; one is
// added only by AfterCommit, never for a row a rollback undid.
type contextSeqs struct {
	mu sync.Mutex
	m  map[string]int64
}

// contextSeqsSize bounds the map; it starts over when full (the contexts in
// flight are few).
const contextSeqsSize = 4096

func (c *contextSeqs) get(keptnContext string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first, ok := c.m[keptnContext]
	return first, ok
}

func (c *contextSeqs) put(keptnContext string, first int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= contextSeqsSize {
		c.m = map[string]int64{}
	}
	c.m[keptnContext] = first
}

// rememberContext adds the context's first seq once the transaction commits.
func (tx *keptnTx) rememberContext(keptnContext string, first int64) {
	c := tx.contexts
	tx.AfterCommit(func() { c.put(keptnContext, first) })
}

// indexContext files the event seq under its keptnContext. The events are
// found by context through events_by_context (first_seq, seq), where
// first_seq is the seq of the context's first event, instead of an index on
// (keptn_context, seq): contexts are random UUIDs, so that index took every
// event to a random leaf page, one more page for each commit to write, while
// the events of the contexts in flight, which began recently, share the last
// pages of events_by_context. Only a context's first event writes a random
// page: its row in event_contexts. The writer remembers the first seq of the
// contexts it met (contextSeqs), so most events only add their entry.
func (tx *keptnTx) indexContext(keptnContext string, seq int64) error {
	if first, ok := tx.contexts.get(keptnContext); ok {
		if _, err := tx.Exec(`INSERT INTO events_by_context (first_seq, seq) VALUES (?, ?)`, first, seq); err != nil {
			return fmt.Errorf("index event context: %w", err)
		}
		return nil
	}
	var first int64
	err := tx.QueryRow(`INSERT INTO events_by_context (first_seq, seq)
		SELECT first_seq, ? FROM event_contexts WHERE keptn_context = ? RETURNING first_seq`, seq, keptnContext).Scan(&first)
	if err == nil {
		tx.rememberContext(keptnContext, first)
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("index event context: %w", err)
	}
	tx.rememberContext(keptnContext, seq)
	if _, err := tx.Exec(`INSERT INTO event_contexts (keptn_context, first_seq) VALUES (?, ?)`, keptnContext, seq); err != nil {
		return fmt.Errorf("index event context: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO events_by_context (first_seq, seq) VALUES (?, ?)`, seq, seq); err != nil {
		return fmt.Errorf("index event context: %w", err)
	}
	return nil
}

// inContexts is the condition on events "keptn_context IN (n contexts)",
// served by event_contexts and events_by_context.
func inContexts(n int) string {
	return `seq IN (SELECT b.seq FROM event_contexts c JOIN events_by_context b ON b.first_seq = c.first_seq
		WHERE c.keptn_context IN (` + placeholders(n) + `))`
}

// eventsFrom is the FROM of a query of the events filtered by n contexts
// (none when n is 0): the events of a few contexts are few, so such a query
// looks them up by seq (inContexts) rather than searching an index of its
// other filters (NOT INDEXED still lets SQLite look rows up by rowid, and
// without it SQLite takes an index on type or project for the cheaper path).
func eventsFrom(n int) string {
	if n > 0 {
		return "events NOT INDEXED"
	}
	return "events"
}
