package sqlite

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/outbox"
)

// waitQueued polls, with a deadline, until n write operations wait for the
// writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.ops) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d operations queued, want %d", len(db.ops), n)
		}
		time.Sleep(time.Millisecond) // polling with a deadline
	}
}

// holdWriter occupies the writer with a transaction of its own until
// release is called, so that the transactions submitted meanwhile share the
// next group.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	held, hold := make(chan struct{}), make(chan struct{})
	go db.Write(context.Background(), func(*Tx) error { close(held); <-hold; return nil })
	<-held
	return func() { close(hold) }
}

// TestEarlyClaimTakesOnlyCommittedItems: an early claim returns before its
// own commit, but never hands out an item whose enqueueing transaction has
// not committed yet (a call must not go out for a change that may roll
// back), even when the claim runs in the same group commit after it.
func TestEarlyClaimTakesOnlyCommittedItems(t *testing.T) {
	db, s := openEarly(t)
	ctx := context.Background()
	// Hold the writer, then queue an enqueue and a claim behind it.
	entered, releaseFirst := make(chan struct{}), make(chan struct{})
	go db.Write(ctx, func(*Tx) error { close(entered); <-releaseFirst; return nil })
	<-entered
	go db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "k", Payload: []byte("p")}) })
	waitQueued(t, db, 1)
	claimed := make(chan []outbox.Item, 1)
	go func() {
		items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil {
			t.Error(err)
		}
		claimed <- items
	}()
	// A claim that writes queues behind the enqueue; then hold the commit of
	// that group open with one more operation.
	deadline := time.Now().Add(10 * time.Second)
	for len(db.ops) < 2 && len(claimed) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling with a deadline
	}
	queued := len(db.ops)
	holdEntered, releaseHold := make(chan struct{}), make(chan struct{})
	go db.Write(ctx, func(*Tx) error { close(holdEntered); <-releaseHold; return nil })
	waitQueued(t, db, queued+1)
	close(releaseFirst)
	<-holdEntered // the enqueue (and any claim) ran; their group has not committed
	select {
	case items := <-claimed:
		for _, it := range items {
			var n int
			db.read.QueryRow(`SELECT count(*) FROM outbox WHERE id = ?`, it.ID).Scan(&n)
			if n == 0 {
				t.Errorf("claimed item %d before its enqueue committed", it.ID)
			}
		}
	case <-time.After(10 * time.Second):
		t.Error("claim did not return")
	}
	close(releaseHold)
	// Once committed, the item is claimable.
	waitFor := time.Now().Add(10 * time.Second)
	for {
		items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 1 {
			break
		}
		if time.Now().After(waitFor) {
			t.Fatal("the committed item was never claimed")
		}
		time.Sleep(time.Millisecond) // polling with a deadline
	}
}

// row reads an outbox row's state and attempts as the file has them.
func row(t *testing.T, db *DB, id int64) (string, int) {
	t.Helper()
	var state string
	var attempts int
	if err := db.read.QueryRow(`SELECT state, attempts FROM outbox WHERE id = ?`, id).Scan(&state, &attempts); err != nil {
		t.Fatal(err)
	}
	return state, attempts
}

// TestEarlyClaimInMemory: an early claim writes nothing, yet hands an item
// out once until its outcome is recorded, shows it running at its attempt,
// and counts the attempt with the outcome; a retry due at once is claimed
// again at the next attempt.
func TestEarlyClaimInMemory(t *testing.T) {
	db, s := openEarly(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "k", Key: "a", Payload: []byte("p")}) }); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	items, err := s.Claim(ctx, now, 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Attempts != 1 || string(items[0].Payload) != "p" {
		t.Fatalf("claim: %v %+v", err, items)
	}
	id := items[0].ID
	if st, n := row(t, db, id); st != "pending" || n != 0 {
		t.Fatalf("file has %s/%d after an early claim, want it unwritten", st, n)
	}
	if again, err := s.Claim(ctx, now, 10, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claimed again while running: %v %+v", err, again)
	}
	if _, ok, err := s.NextDue(ctx); err != nil || ok {
		t.Fatalf("NextDue with the only item running: ok=%v err=%v", ok, err)
	}
	if r, err := s.Get(ctx, id); err != nil || r.State != "running" || r.Attempts != 1 {
		t.Fatalf("Get: %v %+v", err, r)
	}
	if d, err := s.Depth(ctx); err != nil || d["running"] != 1 || d["pending"] != 0 {
		t.Fatalf("Depth: %v %v", err, d)
	}
	if l, n, err := s.List(ctx, outbox.Filter{State: "running", Limit: 10}); err != nil || n != 1 || len(l) != 1 || l[0].Attempts != 1 {
		t.Fatalf("List running: %v %d %+v", err, n, l)
	}
	// A retry due at once: due again, claimed at attempt 2.
	errs, err := s.Complete(ctx, []outbox.Outcome{{ID: id, Attempt: outbox.Attempt{Started: now, Error: "busy"}, Next: "pending", Due: now}})
	if err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	if st, n := row(t, db, id); st != "pending" || n != 1 {
		t.Fatalf("file has %s/%d after the outcome, want pending/1", st, n)
	}
	if due, ok, err := s.NextDue(ctx); err != nil || !ok || due.After(now) {
		t.Fatalf("NextDue after a retry due at once: %v %v %v", due, ok, err)
	}
	items, err = s.Claim(ctx, now, 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Attempts != 2 {
		t.Fatalf("claim of the retry: %v %+v", err, items)
	}
	if _, err := s.Complete(ctx, []outbox.Outcome{{ID: id, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: "done"}}); err != nil {
		t.Fatal(err)
	}
	if st, n := row(t, db, id); st != "done" || n != 2 {
		t.Fatalf("file has %s/%d, want done/2", st, n)
	}
}

// TestEarlyClaimWrittenWhenLong: a claim still running after markDelay is
// written running with its attempt; a claim written late never undoes a
// recorded outcome.
func TestEarlyClaimWrittenWhenLong(t *testing.T) {
	db, s := openEarly(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "k", Payload: []byte("p")}) }); err != nil {
		t.Fatal(err)
	}
	items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %+v", err, items)
	}
	id := items[0].ID
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, n := row(t, db, id); st == "running" && n == 1 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("file has %s/%d long after the claim, want running/1", st, n)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	if _, err := s.Complete(ctx, []outbox.Outcome{{ID: id, Attempt: outbox.Attempt{Started: time.Now(), Error: "x"}, Next: "pending", Due: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	// A stale claim of attempt 1 comes late: it must not apply.
	s.mu.Lock()
	s.unmarked[id] = claimMark{claimed: claimed{attempts: 1, created: items[0].Created.UnixMilli(), key: items[0].Key}, at: time.Now(), lease: 1, now: 1}
	s.mu.Unlock()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st, n := row(t, db, id); st != "pending" || n != 1 {
		t.Fatalf("file has %s/%d after a stale claim was written, want pending/1", st, n)
	}
}

// TestCancelTimerUsesAnIndex: cancelling a pending item by kind and key
// (sequence timers) searches an index, not the table.
func TestCancelTimerUsesAnIndex(t *testing.T) {
	db := openTest(t)
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN DELETE FROM outbox WHERE kind = ? AND key = ? AND state = 'pending'`, "timer", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "USING INDEX outbox_kind_key_all") {
		t.Fatalf("plan:\n%s", plan)
	}
}

// TestEarlyClaimOfACancelledTimer: a timer claimed early is pending in the
// file, so cancelling it deletes it while it runs, and SQLite may give its
// id to the next item. Its outcome and a late written claim must leave that
// item alone, and the item is claimed once the run is over.
func TestEarlyClaimOfACancelledTimer(t *testing.T) {
	db, s := openEarly(t)
	ks := NewKeptnStore(db)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "timer", Key: "t", Payload: []byte("old")}) }); err != nil {
		t.Fatal(err)
	}
	items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %+v", err, items)
	}
	old := items[0]
	// A timer is claimed when due, long after it was created: the next one
	// is created in a later millisecond.
	for time.Now().UnixMilli() <= old.Created.UnixMilli() {
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if err := ks.KeptnTx(tx).(interface{ CancelTimers(kind, key string) error }).CancelTimers("timer", "t"); err != nil {
			return err
		}
		return tx.Enqueue(Job{Kind: "timer", Key: "t", Payload: []byte("new")})
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.read.QueryRow(`SELECT max(id) FROM outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != old.ID {
		t.Fatalf("the new item got id %d, not the cancelled one's %d: the case this tests did not arise", id, old.ID)
	}
	if err := s.Flush(ctx); err != nil { // a late written claim
		t.Fatal(err)
	}
	if _, err := s.Complete(ctx, []outbox.Outcome{{ID: old.ID, Attempt: outbox.Attempt{Started: time.Now(), Status: 200}, Next: "done"}}); err != nil {
		t.Fatal(err)
	}
	if st, n := row(t, db, id); st != "pending" || n != 0 {
		t.Fatalf("the new item is %s/%d after the old run's outcome, want pending/0", st, n)
	}
	if r, err := s.Get(ctx, id); err != nil || len(r.History) != 0 {
		t.Fatalf("the new item's history: %v %+v", err, r)
	}
	items, err = s.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 1 || string(items[0].Payload) != "new" || items[0].Attempts != 1 {
		t.Fatalf("claim of the new item: %v %+v", err, items)
	}
}

// TestEarlyOutcomesInBatches: a batch of outcomes of early claims, more
// than one statement's worth, records each item's state, attempt and
// history.
func TestEarlyOutcomesInBatches(t *testing.T) {
	db, s := openEarly(t)
	ctx := context.Background()
	const n = 64 + 16 + 4 + 3
	err := db.Write(ctx, func(tx *Tx) error {
		for i := range n {
			if err := tx.Enqueue(Job{Kind: "k", Key: strconv.Itoa(i), Payload: []byte("p")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.Claim(ctx, time.Now(), n, time.Minute)
	if err != nil || len(items) != n {
		t.Fatalf("claim: %v, %d items", err, len(items))
	}
	later := time.Now().Add(time.Hour)
	outs := make([]outbox.Outcome, n)
	for i, it := range items {
		outs[i] = outbox.Outcome{ID: it.ID, Attempt: outbox.Attempt{Started: time.Now(), Status: 200 + i, Excerpt: it.Key}, Next: "done"}
		if i%3 == 0 {
			outs[i].Next, outs[i].Due, outs[i].Attempt.Error = "pending", later, "retry "+it.Key
		}
	}
	if errs, err := s.Complete(ctx, outs); err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	for i, it := range items {
		r, err := s.Get(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := outbox.State("done")
		if i%3 == 0 {
			want = "pending"
		}
		if r.State != want || r.Attempts != 1 || len(r.History) != 1 || r.History[0].Status != 200+i || r.History[0].Excerpt != it.Key ||
			r.LastError != outs[i].Attempt.Error || (i%3 == 0 && r.Due.UnixMilli() != later.UnixMilli()) {
			t.Fatalf("item %d: %+v", i, r)
		}
	}
}

// openEarly opens a test database and its outbox store with early claims.
func openEarly(t *testing.T) (*DB, *OutboxStore) {
	t.Helper()
	db := openTest(t)
	s := NewOutboxStore(db)
	s.EarlyClaim = true
	return db, s
}

// TestNextDueKeptUntilAnItemMayBeDueLater: after an early claim NextDue
// keeps its answer, yet sees at once a timer enqueued for later, a retry
// and a replay, and looks again once a claim may have taken its item.
func TestNextDueKeptUntilAnItemMayBeDueLater(t *testing.T) {
	db, s := openEarly(t)
	ctx := context.Background()
	enqueue := func(j Job) {
		t.Helper()
		if err := db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(j) }); err != nil {
			t.Fatal(err)
		}
	}
	nextDue := func(want time.Time) {
		t.Helper()
		got, ok, err := s.NextDue(ctx)
		if err != nil || ok != !want.IsZero() || ok && got.UnixMilli() != want.UnixMilli() {
			t.Fatalf("NextDue = %v %v %v, want %v", got, ok, err, want)
		}
	}
	now := time.Now()
	enqueue(Job{Kind: "k", Key: "a", Payload: []byte("p")})
	items, err := s.Claim(ctx, now, 10, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %+v", err, items)
	}
	nextDue(time.Time{})
	nextDue(time.Time{}) // kept
	timer := now.Add(time.Hour)
	enqueue(Job{Kind: "timer", Key: "t", Payload: []byte("p"), Due: timer})
	nextDue(timer)
	retry := now.Add(30 * time.Minute)
	if errs, err := s.Complete(ctx, []outbox.Outcome{{ID: items[0].ID, Attempt: outbox.Attempt{Started: now, Error: "busy"}, Next: "pending", Due: retry}}); err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	nextDue(retry)
	// A claim past the retry takes it: NextDue looks again and finds the timer.
	if items, err = s.Claim(ctx, retry, 10, time.Minute); err != nil || len(items) != 1 {
		t.Fatalf("claim of the retry: %v %+v", err, items)
	}
	nextDue(timer)
	if errs, err := s.Complete(ctx, []outbox.Outcome{{ID: items[0].ID, Attempt: outbox.Attempt{Started: now, Error: "gone"}, Next: "dead"}}); err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	nextDue(timer)
	if err := s.Replay(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	// Replay makes the item due at once, for the claim the wake-up brings.
	if items, err = s.Claim(ctx, retry, 10, time.Minute); err != nil || len(items) != 1 {
		t.Fatalf("claim of the replayed item: %v %+v", err, items)
	}
}
