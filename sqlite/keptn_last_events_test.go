package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// lastEventRows reads service_last_events as key → events.seq.
func lastEventRows(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	return keyedSeqs(t, db, `SELECT project, stage, service, type, seq FROM service_last_events`)
}

// scopedEventsAfter reads the scoped events stored after the bound of
// service_last_events.
const scopedEventsAfter = `SELECT project, stage, service, type, seq, time_ns FROM events
	WHERE seq > (SELECT seq FROM service_last_events_covered) AND project != '' AND stage != '' AND service != ''`

// effectiveLastEvents is what the reads see: the table's rows folded with
// the scoped events after its bound.
func effectiveLastEvents(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	return keyedSeqs(t, db, `SELECT project, stage, service, type, seq FROM (
		SELECT project, stage, service, type, seq,
			row_number() OVER (PARTITION BY project, stage, service, type ORDER BY time_ns DESC, seq DESC) AS n
		FROM (SELECT project, stage, service, type, seq, time_ns FROM service_last_events
			UNION ALL `+scopedEventsAfter+`)) WHERE n = 1`)
}

// newestBefore is newestEvents over the events up to the table's bound:
// what the table itself must hold.
func newestBefore(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	return keyedSeqs(t, db, `SELECT project, stage, service, type, seq FROM (
		SELECT project, stage, service, type, seq,
			row_number() OVER (PARTITION BY project, stage, service, type ORDER BY time_ns DESC, seq DESC) AS n
		FROM events WHERE project != '' AND stage != '' AND service != ''
			AND seq <= (SELECT seq FROM service_last_events_covered)) WHERE n = 1`)
}

func lastEventsBound(t *testing.T, db *DB) int64 {
	t.Helper()
	var seq int64
	if err := db.read.QueryRow(`SELECT seq FROM service_last_events_covered`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// newestEvents derives what service_last_events must hold from the events:
// the newest scoped event of each key by time, the later stored on a tie.
func newestEvents(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	return keyedSeqs(t, db, `SELECT project, stage, service, type, seq FROM (
		SELECT project, stage, service, type, seq,
			row_number() OVER (PARTITION BY project, stage, service, type ORDER BY time_ns DESC, seq DESC) AS n
		FROM events WHERE project != '' AND stage != '' AND service != '') WHERE n = 1`)
}

func keyedSeqs(t *testing.T, db *DB, query string) map[string]int64 {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p, st, sv, typ string
		var seq int64
		if err := rows.Scan(&p, &st, &sv, &typ, &seq); err != nil {
			t.Fatal(err)
		}
		out[p+"/"+st+"/"+sv+"/"+typ] = seq
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func scopedEvent(id, typ, stage, service string, ns int64) *keptn.Event {
	data := fmt.Sprintf(`{"project":"p","stage":%q,"service":%q}`, stage, service)
	return &keptn.Event{ID: id, Type: typ, Source: "s", Shkeptncontext: "k-" + id, Time: keptn.FormatTime(time.Unix(ns, 0)), Data: []byte(data)}
}

// Concurrent writers share group commits; every fourth fails after storing
// its event (its savepoint, or the first run of its group, rolls back).
// What the reads see is exactly the newest committed event of each key,
// including keys whose newest event is older than one stored later, and the
// table itself, written every 50 events, holds exactly the newest up to its
// bound.
func TestLastEventsFollowTheirCalls(t *testing.T) {
	db := openTestWith(t, Options{lastFlushEvery: 50})
	st := NewKeptnStore(db)
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	for i := range 300 {
		wg.Go(func() {
			ev := scopedEvent(fmt.Sprintf("e%03d", i), fmt.Sprintf("t%d", i%3), "dev", fmt.Sprintf("s%d", i%5),
				int64(1000+(i*7919)%200)) // times out of storage order, with ties
			err := st.Update(ctx, func(tx keptn.Tx) error {
				if err := tx.InsertEvent(ev, []byte(`{}`)); err != nil {
					return err
				}
				if i%4 == 0 {
					return boom
				}
				return nil
			})
			if err != nil && !errors.Is(err, boom) {
				t.Errorf("event %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	// One call with 150 events of 100 keys, some twice, the second older.
	if err := st.Update(ctx, func(tx keptn.Tx) error {
		for i := range 150 {
			ns := int64(5000 + i)
			if i >= 100 {
				ns = 4000
			}
			if err := tx.InsertEvent(scopedEvent(fmt.Sprintf("m%03d", i), "tm", "prod", fmt.Sprintf("m%d", i%100), ns), []byte(`{}`)); err != nil {
				return err
			}
		}
		// Unscoped events have no row.
		return tx.InsertEvent(&keptn.Event{ID: "u", Type: "tu", Source: "s", Shkeptncontext: "ku", Data: []byte(`{"project":"p"}`)}, []byte(`{}`))
	}); err != nil {
		t.Fatal(err)
	}
	// One more group writes what the big call left pending.
	if err := st.Update(ctx, func(tx keptn.Tx) error {
		return tx.InsertEvent(scopedEvent("z", "t0", "dev", "s0", 1), []byte(`{}`))
	}); err != nil {
		t.Fatal(err)
	}
	want := newestEvents(t, db)
	if len(want) != 3*5+100 {
		t.Fatalf("%d keys among the events, want %d", len(want), 3*5+100)
	}
	if diff := cmp.Diff(effectiveLastEvents(t, db), want); diff != "" {
		t.Errorf("last events as read (-got +want)\n%s", diff)
	}
	var maxSeq int64
	db.read.QueryRow(`SELECT max(seq) FROM events`).Scan(&maxSeq)
	if b := lastEventsBound(t, db); b < maxSeq-60 || b == maxSeq {
		t.Errorf("table written up to seq %d of %d: want the last flush within 60 events, and the last group pending", b, maxSeq)
	}
	if diff := cmp.Diff(lastEventRows(t, db), newestBefore(t, db)); diff != "" {
		t.Errorf("service_last_events (-got +want)\n%s", diff)
	}
}

// Pending rows are not lost with the process: a reopened store folds the
// events after the table's bound again and writes them at its next flush.
func TestLastEventsAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	open := func(every int) (*DB, *KeptnStore) {
		db, err := Open(ctx, path, Options{lastFlushEvery: every})
		if err != nil {
			t.Fatal(err)
		}
		return db, NewKeptnStore(db)
	}
	insert := func(st *KeptnStore, from, to int) {
		for i := from; i < to; i++ {
			if err := st.Update(ctx, func(tx keptn.Tx) error {
				return tx.InsertEvent(scopedEvent(fmt.Sprintf("r%03d", i), fmt.Sprintf("t%d", i%4), "dev", fmt.Sprintf("s%d", i%3), int64(i)), []byte(`{}`))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, st := open(1000)
	insert(st, 0, 40)
	if n := len(lastEventRows(t, db)); n != 0 {
		t.Fatalf("%d rows written before the first flush", n)
	}
	db.Close()

	db, st = open(45)
	defer db.Close()
	if diff := cmp.Diff(effectiveLastEvents(t, db), newestEvents(t, db)); diff != "" {
		t.Errorf("after reopening (-got +want)\n%s", diff)
	}
	insert(st, 40, 47) // the 40 folded at open and 5 more make 45: the group of seq 46 writes those
	if n, want := lastEventsBound(t, db), int64(45); n != want {
		t.Errorf("bound %d, want %d", n, want)
	}
	if diff := cmp.Diff(lastEventRows(t, db), newestBefore(t, db)); diff != "" {
		t.Errorf("service_last_events (-got +want)\n%s", diff)
	}
	if len(lastEventRows(t, db)) != 12 {
		t.Errorf("%d rows, want 12", len(lastEventRows(t, db)))
	}
}

// Migration 0151 fills service_last_events from the events stored before it.
func TestServiceLastEventsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	raw := migratedWithout(t, path, func(version string) bool { return version >= "0151" })
	for i, e := range []struct {
		id, typ, stage, service string
		ns                      int64
	}{
		{"a1", "t1", "dev", "web", 5}, {"a2", "t1", "dev", "web", 3}, {"a3", "t1", "dev", "web", 5}, // tie: a3
		{"b1", "t2", "dev", "web", 1}, {"c1", "t1", "prod", "web", 2}, {"d1", "t1", "dev", "api", 9},
		{"x1", "t1", "", "web", 9}, {"x2", "t1", "dev", "", 9},
	} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO events (id, type, source, time_ns, keptn_context, project, stage, service, body)
			VALUES (?, ?, 's', ?, ?, 'p', ?, ?, '{}')`, e.id, e.typ, e.ns, fmt.Sprint("k", i), e.stage, e.service); err != nil {
			t.Fatal(err)
		}
	}
	db := migrateRest(t, raw, path)
	want := map[string]int64{"p/dev/web/t1": 3, "p/dev/web/t2": 4, "p/prod/web/t1": 5, "p/dev/api/t1": 6}
	if diff := cmp.Diff(lastEventRows(t, db), want); diff != "" {
		t.Errorf("service_last_events (-got +want)\n%s", diff)
	}
	if diff := cmp.Diff(newestEvents(t, db), want); diff != "" {
		t.Errorf("newest events (-got +want)\n%s", diff)
	}
}

// Events without a full scope have no row but advance the bound, so the
// events the reads add after it stay few whatever the events are.
func TestUnscopedEventsAdvanceTheBound(t *testing.T) {
	db := openTestWith(t, Options{lastFlushEvery: 50})
	st := NewKeptnStore(db)
	for i := range 120 {
		if err := st.Update(context.Background(), func(tx keptn.Tx) error {
			return tx.InsertEvent(&keptn.Event{ID: fmt.Sprintf("u%03d", i), Type: "t", Source: "s", Shkeptncontext: "k",
				Data: []byte(`{"project":"p","stage":"dev"}`)}, []byte(`{}`))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if b := lastEventsBound(t, db); b != 100 {
		t.Errorf("bound %d after 120 unscoped events flushed every 50, want 100", b)
	}
	if n := len(lastEventRows(t, db)); n != 0 {
		t.Errorf("%d rows for unscoped events", n)
	}
}
