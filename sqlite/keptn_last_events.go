package sqlite

import (
	"context"
	"fmt"
	"strings"
)

// A service's last event of each type (ExpandedService.lastEventTypes) is a
// row of service_last_events per project, stage, service and event type
// (migration 0151): the newest event of the key by time, the later stored
// on a tie, over every event stored. InsertEvent notes each scoped event on
// its call (writeOp.last); before the group commits, writeLastEvents folds
// the notes of the calls that succeeded into one row per key and upserts
// them. Ingest, where a group's events mostly share one key, writes one row
// per group instead of one per event, and a group of sequence events about
// one row per event, against the page of an index in the middle of
// events_type_scope that each event dirtied before. A call whose savepoint
// rolled back, or a group that rolled back, leaves no row behind: the notes
// go with the call.

// lastEvent is a scoped event InsertEvent stored.
type lastEvent struct {
	project, stage, service, typ string
	seq, timeNs                  int64
}

// newer reports whether e comes after o: later, or stored later at the same
// time.
func (e lastEvent) newer(o lastEvent) bool {
	return e.timeNs > o.timeNs || (e.timeNs == o.timeNs && e.seq > o.seq)
}

func (e lastEvent) sameKey(o lastEvent) bool {
	return e.project == o.project && e.stage == o.stage && e.service == o.service && e.typ == o.typ
}

type lastEventKey struct{ project, stage, service, typ string }

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

// writeLastEvents upserts the newest event of each key noted by the calls of
// batch that succeeded. The writer goroutine calls it before COMMIT.
func (db *DB) writeLastEvents(ctx context.Context, batch []*writeOp) error {
	rows := db.lastScratch[:0]
	var index map[lastEventKey]int // only for many rows; a scan otherwise
	for _, op := range batch {
		if op.err != nil {
			continue
		}
	next:
		for _, e := range op.last {
			if index != nil {
				k := lastEventKey{e.project, e.stage, e.service, e.typ}
				if i, ok := index[k]; ok {
					if e.newer(rows[i]) {
						rows[i] = e
					}
					continue
				}
				index[k] = len(rows)
				rows = append(rows, e)
				continue
			}
			for i := range rows {
				if rows[i].sameKey(e) {
					if e.newer(rows[i]) {
						rows[i] = e
					}
					continue next
				}
			}
			rows = append(rows, e)
			if len(rows) == 64 {
				index = make(map[lastEventKey]int, 128)
				for i, r := range rows {
					index[lastEventKey{r.project, r.stage, r.service, r.typ}] = i
				}
			}
		}
	}
	db.lastScratch = rows[:0]
	if len(rows) == 0 {
		return nil
	}
	args := db.lastArgs[:0]
	for len(rows) > 0 {
		n := min(len(rows), upsertLastEventsRows)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r.project, r.stage, r.service, r.typ, r.seq, r.timeNs)
		}
		st, err := db.stmt(ctx, upsertLastEvents[n])
		if err == nil && st != nil {
			_, err = st.ExecContext(ctx, args...)
		} else if err == nil {
			_, err = db.conn.ExecContext(ctx, upsertLastEvents[n], args...)
		}
		if err != nil {
			return fmt.Errorf("update last events: %w", err)
		}
		rows = rows[n:]
	}
	clear(args)
	db.lastArgs = args[:0]
	return nil
}
