package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/outbox"
)

// An item's first attempt is kept in its row and later ones in
// outbox_attempts (migration 0111); items from before the migration keep
// every attempt there. Either way Get and ByKeyPrefix show the history in
// order, and later attempts are added after it.
func TestOutboxHistoryAcrossMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	raw := migratedWithout(t, path, func(version string) bool { return version == "0111_outbox_first_attempt" })
	// A dead item with two attempts, and a pending one without any.
	for _, q := range []string{
		`INSERT INTO outbox (id, kind, key, payload, state, attempts, due_at, created_at, updated_at) VALUES (1, 'webhook', 'old-0', 'p', 'dead', 2, 0, 5, 5)`,
		`INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt) VALUES (1, 1000, 10, 500, 'e1', 'x1')`,
		`INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt) VALUES (1, 2000, 20, 502, 'e2', 'x2')`,
		`INSERT INTO outbox (id, kind, key, payload, state, attempts, due_at, created_at, updated_at) VALUES (2, 'webhook', 'pending-0', 'p', 'pending', 0, 0, 5, 5)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db := migrateRest(t, raw, path)
	s := NewOutboxStore(db)
	s.EarlyClaim = true
	at := func(ms int64, lat time.Duration, status int, e, x string) outbox.Attempt {
		return outbox.Attempt{Started: time.UnixMilli(ms), Latency: lat, Status: status, Error: e, Excerpt: x}
	}
	old1, old2 := at(1000, 10*time.Microsecond, 500, "e1", "x1"), at(2000, 20*time.Microsecond, 502, "e2", "x2")
	check := func(id int64, want ...outbox.Attempt) {
		t.Helper()
		r, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r.History, want); diff != "" {
			t.Errorf("Get(%d).History (-got +want)\n%s", id, diff)
		}
		rs, err := s.ByKeyPrefix(ctx, "webhook", []string{r.Key[:len(r.Key)-2]}, 10)
		if err != nil || len(rs) != 1 {
			t.Fatalf("ByKeyPrefix(%s): %v %+v", r.Key, err, rs)
		}
		if diff := cmp.Diff(rs[0].History, want); diff != "" {
			t.Errorf("ByKeyPrefix(%s).History (-got +want)\n%s", r.Key, diff)
		}
	}
	check(1, old1, old2)
	check(2)
	run := func(next outbox.State, a outbox.Attempt) {
		t.Helper()
		items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim: %v %+v", err, items)
		}
		if errs, err := s.Complete(ctx, []outbox.Outcome{{ID: items[0].ID, Attempt: a, Next: next, Due: time.UnixMilli(1)}}); err != nil || errs != nil {
			t.Fatal(err, errs)
		}
	}
	// The pending item from before: its attempts go to outbox_attempts.
	new1, new2 := at(3000, 30*time.Microsecond, 503, "e3", "x3"), at(4000, 40*time.Microsecond, 200, "", "ok")
	run(outbox.StatePending, new1)
	check(2, new1)
	run(outbox.StateDone, new2)
	check(2, new1, new2)
	// A new item: its first attempt goes into its row, its second into
	// outbox_attempts.
	if err := db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "webhook", Key: "new-0", Payload: []byte("p")}) }); err != nil {
		t.Fatal(err)
	}
	run(outbox.StatePending, new1)
	check(3, new1)
	if n := attemptRows(t, db, 3); n != 0 {
		t.Errorf("the first attempt took %d rows of outbox_attempts", n)
	}
	run(outbox.StateDone, new2)
	check(3, new1, new2)
	if n := attemptRows(t, db, 3); n != 1 {
		t.Errorf("two attempts took %d rows of outbox_attempts, want 1", n)
	}
	// The old dead item, replayed: its third attempt follows the two.
	if err := s.Replay(ctx, 1); err != nil {
		t.Fatal(err)
	}
	run(outbox.StateDone, new2)
	check(1, old1, old2, new2)
}

// attemptRows counts the rows of outbox_attempts of item id.
func attemptRows(t *testing.T, db *DB, id int64) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM outbox_attempts WHERE outbox_id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
