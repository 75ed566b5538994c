package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// A service's last event of each type (ExpandedService.lastEventTypes) is a
// row of service_last_events per project, stage, service and event type
// (migration 0151): the newest event of the key by time, the later stored
// on a tie. The table holds the events up to a seq, recorded in
// service_last_events_covered (migration 0152); reads add the events stored
// after it (lastEventTypes), a tail of at most about lastEventsFlushEvery
// events.
//
// InsertEvent notes each event on its call (writeOp.last). Once a group has
// committed, the writer folds the notes of the calls that succeeded: a
// scoped event into lastEvents.pending, one entry per key, and every event
// into the bound (events without a full scope too, so that the events the
// reads add stay few whatever the events are). A call whose savepoint
// rolled back, or a group that rolled back, leaves nothing behind. When
// lastEventsFlushEvery events have been folded, the next group writes the
// pending rows and the new bound in its own transaction, and the pending
// entries are dropped once that group has committed. So a key's row is
// written once every thousand events rather than once per event: under the
// sequence benchmark a group's events are of different services and types,
// and a row per event was about a tenth of the writer. At open, the events
// after the bound are folded again (loadLastEvents): the table never
// depends on memory a crash can lose.
type lastEvents struct {
	pending map[lastEventKey]lastEvent
	maxSeq  int64 // the highest seq folded
	folded  int   // events folded since the last flush
	flushed bool  // the group being committed writes pending
	args    []any
}

// lastEventsFlushEvery is how many events are folded between two writes of
// service_last_events.
const lastEventsFlushEvery = 1024

// lastEvent is an event InsertEvent stored; project is empty for an event
// without a full scope, which has no row.
type lastEvent struct {
	project, stage, service, typ string
	seq, timeNs                  int64
}

func newLastEvent(project, stage, service, typ string, seq, timeNs int64) lastEvent {
	if project == "" || stage == "" || service == "" {
		return lastEvent{seq: seq}
	}
	return lastEvent{project: project, stage: stage, service: service, typ: typ, seq: seq, timeNs: timeNs}
}

type lastEventKey struct{ project, stage, service, typ string }

func (e lastEvent) key() lastEventKey { return lastEventKey{e.project, e.stage, e.service, e.typ} }

// newer reports whether e comes after o: later, or stored later at the same
// time.
func (e lastEvent) newer(o lastEvent) bool {
	return e.timeNs > o.timeNs || (e.timeNs == o.timeNs && e.seq > o.seq)
}

// fold adds e to the pending rows, if it is scoped, and to the bound.
func (l *lastEvents) fold(e lastEvent) {
	l.maxSeq = max(l.maxSeq, e.seq)
	l.folded++
	if e.project == "" {
		return
	}
	if l.pending == nil {
		l.pending = map[lastEventKey]lastEvent{}
	}
	k := e.key()
	if o, ok := l.pending[k]; !ok || e.newer(o) {
		l.pending[k] = e
	}
}

// upsertLastEventsRows is how many rows one statement upserts at most.
const upsertLastEventsRows = 16

// upsertLastEvents[n] upserts n rows; a row replaces the stored one only if
// it is newer.
var upsertLastEvents = func() (q [upsertLastEventsRows + 1]string) {
	for n := 1; n <= upsertLastEventsRows; n++ {
		q[n] = `INSERT INTO service_last_events (project, stage, service, type, seq, time_ns) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", n), ", ") +
			` ON CONFLICT (project, stage, service, type) DO UPDATE SET seq = excluded.seq, time_ns = excluded.time_ns
			WHERE excluded.time_ns > service_last_events.time_ns
				OR (excluded.time_ns = service_last_events.time_ns AND excluded.seq > service_last_events.seq)`
	}
	return q
}()

// flushLastEvents writes the pending rows and their bound in the group's
// transaction once enough events were folded. The writer goroutine calls
// it before COMMIT; lastEventsCommitted settles it.
func (db *DB) flushLastEvents(ctx context.Context) error {
	l := &db.last
	l.flushed = false
	if l.folded < db.lastFlushEvery() {
		return nil
	}
	args := l.args[:0]
	exec := func(q string, args ...any) error {
		st, err := db.stmt(ctx, q)
		if err == nil && st != nil {
			_, err = st.ExecContext(ctx, args...)
		} else if err == nil {
			_, err = db.conn.ExecContext(ctx, q, args...)
		}
		return err
	}
	n := 0
	for _, r := range l.pending {
		args = append(args, r.project, r.stage, r.service, r.typ, r.seq, r.timeNs)
		if n++; n == upsertLastEventsRows {
			if err := exec(upsertLastEvents[n], args...); err != nil {
				return fmt.Errorf("update last events: %w", err)
			}
			args, n = args[:0], 0
		}
	}
	if n > 0 {
		if err := exec(upsertLastEvents[n], args...); err != nil {
			return fmt.Errorf("update last events: %w", err)
		}
	}
	clear(args)
	l.args = args[:0]
	if err := exec(`UPDATE service_last_events_covered SET seq = ?`, l.maxSeq); err != nil {
		return fmt.Errorf("update last events: %w", err)
	}
	l.flushed = true
	return nil
}

// lastEventsCommitted settles a group that committed: the rows it flushed
// are no longer pending, and the scoped events of its calls that succeeded
// are.
func (db *DB) lastEventsCommitted(batch []*writeOp) {
	l := &db.last
	if l.flushed {
		clear(l.pending)
		l.folded, l.flushed = 0, false
	}
	for _, op := range batch {
		if op.err != nil {
			continue
		}
		for _, e := range op.last {
			l.fold(e)
		}
	}
}

func (db *DB) lastFlushEvery() int {
	if db.opts.lastFlushEvery > 0 {
		return db.opts.lastFlushEvery
	}
	return lastEventsFlushEvery
}

// loadLastEvents folds the events stored after the table's bound, as if
// they had just been committed: Open calls it before the writer starts.
func (db *DB) loadLastEvents(ctx context.Context) error {
	rows, err := db.conn.QueryContext(ctx, `SELECT project, stage, service, type, seq, time_ns FROM events
		WHERE seq > (SELECT seq FROM service_last_events_covered)`)
	if err != nil {
		return fmt.Errorf("load last events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var project, stage, service, typ string
		var seq, ns int64
		if err := rows.Scan(&project, &stage, &service, &typ, &seq, &ns); err != nil {
			return fmt.Errorf("load last events: %w", err)
		}
		db.last.fold(newLastEvent(project, stage, service, typ, seq, ns))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load last events: %w", err)
	}
	return nil
}
