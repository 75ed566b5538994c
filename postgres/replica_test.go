package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/postgres"
	"github.com/batonhq/baton/postgres/pgtest"
)

// Replicas started at the same moment on an empty database migrate it once.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db := open(t, url, "check", postgres.Options{})
	var n, distinct int
	if err := db.Pool().QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != distinct || n < 5 {
		t.Errorf("%d migrations recorded, %d distinct", n, distinct)
	}
}

func enqueueOn(t testing.TB, db *postgres.DB, kind string) {
	t.Helper()
	if err := db.Write(context.Background(), func(tx *postgres.Tx) error {
		return tx.Enqueue(postgres.Job{Kind: kind, Payload: []byte("p")})
	}); err != nil {
		t.Fatal(err)
	}
}

// An outbox item runs on one replica at a time: a live owner's item is
// neither claimed nor recovered by another; once its lease has lapsed the
// other takes it over, and the first owner's late completion does not count.
func TestOutboxLeaseAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a := open(t, url, "a", postgres.Options{Lease: time.Hour})
	b := open(t, url, "b", postgres.Options{Lease: time.Hour})
	oa, ob := postgres.NewOutboxStore(a), postgres.NewOutboxStore(b)
	enqueueOn(t, a, "k")
	items, err := oa.Claim(ctx, time.Now(), 10, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("a claims: %v %+v", err, items)
	}
	id := items[0].ID
	if err := ob.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := ob.Claim(ctx, time.Now(), 10, 0); len(got) != 0 {
		t.Fatalf("b claimed a's live item: %+v", got)
	}
	// a is gone for longer than a lease (its lease lapses on the database clock).
	if _, err := a.Pool().Exec(ctx, `UPDATE outbox SET lease_until = 0 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	got, err := ob.Claim(ctx, time.Now(), 10, 0)
	if err != nil || len(got) != 1 || got[0].ID != id || got[0].Attempts != 2 {
		t.Fatalf("b takes over: %v %+v", err, got)
	}
	err = oa.Finish(ctx, id, outbox.Attempt{Started: time.Now()}, outbox.StateDone, time.Time{})
	if !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("a's late finish: %v, want ErrLeaseLost", err)
	}
	if err := ob.Finish(ctx, id, outbox.Attempt{Started: time.Now(), Status: 200}, outbox.StateDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, _ := ob.Get(ctx, id)
	if r.State != outbox.StateDone || len(r.History) != 1 || r.History[0].Status != 200 {
		t.Errorf("record: %+v", r)
	}
}

// A replica that stops hands its running items back at once.
func TestCloseReleasesLeases(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a, err := postgres.Open(ctx, url, postgres.Options{Owner: "a", Lease: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	enqueueOn(t, a, "k")
	if items, _ := postgres.NewOutboxStore(a).Claim(ctx, time.Now(), 10, 0); len(items) != 1 {
		t.Fatal("not claimed")
	}
	a.Close()
	b := open(t, url, "b", postgres.Options{})
	if items, _ := postgres.NewOutboxStore(b).Claim(ctx, time.Now(), 10, 0); len(items) != 1 {
		t.Fatal("a's item not released at close")
	}
}

// A commit on one replica wakes the outbox worker of another through
// LISTEN/NOTIFY (the slow poll is off here, so only the notification can).
func TestNotifyWakesOtherReplica(t *testing.T) {
	url := pgtest.URL(t)
	a := open(t, url, "a", postgres.Options{})
	b := open(t, url, "b", postgres.Options{Poll: time.Hour})
	ob := postgres.NewOutboxStore(b)
	select {
	case <-b.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("b does not listen")
	}
	for { // drain the wake-ups of b's start
		select {
		case <-ob.Wake():
			continue
		default:
		}
		break
	}
	enqueueOn(t, a, "k")
	select {
	case <-ob.Wake():
	case <-time.After(10 * time.Second):
		t.Fatal("b not woken by a's commit")
	}
}

// Executions started concurrently on several replicas for one
// project/stage/service: exactly one holds the slot, the rest queue up.
func TestOneRunningSequenceAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	var stores []*postgres.KeptnStore
	for i := range 3 {
		stores = append(stores, postgres.NewKeptnStore(open(t, url, fmt.Sprint("r", i), postgres.Options{})))
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := stores[i%3].Update(ctx, func(tx keptn.Tx) error {
				taken, err := tx.SlotTaken("p", "dev", "web", "")
				if err != nil {
					return err
				}
				state := keptn.StateStarted
				if taken {
					state = keptn.StateWaiting
				}
				return tx.PutExecution(&keptn.SequenceExecution{ID: fmt.Sprint("x", i), Sequence: keptn.Sequence{Name: "delivery"},
					Status: keptn.SequenceStatus{State: state},
					Scope:  keptn.SequenceScope{Project: "p", Stage: "dev", Service: "web", KeptnContext: fmt.Sprint("k", i)}})
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	_, started, err := stores[0].Executions(ctx, keptn.ExecutionFilter{State: keptn.StateStarted, Limit: 100})
	if err != nil || started != 1 {
		t.Errorf("%d started executions (%v), want 1", started, err)
	}
	_, waiting, _ := stores[0].Executions(ctx, keptn.ExecutionFilter{State: keptn.StateWaiting, Limit: 100})
	if waiting != 11 {
		t.Errorf("%d waiting, want 11", waiting)
	}
}

// An appconfigdata token is good once, whichever replica redeems it.
func TestTokenOnceAcrossReplicas(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a := postgres.NewAppConfigStore(open(t, url, "a", postgres.Options{}))
	b := postgres.NewAppConfigStore(open(t, url, "b", postgres.Options{}))
	exp := time.Now().Add(time.Hour)
	for _, c := range []struct {
		store *postgres.AppConfigStore
		seq   uint64
		want  bool
	}{{a, 0, true}, {b, 0, false}, {a, 0, false}, {b, 1, true}, {a, 2, true}, {b, 1, false}} {
		got, err := c.store.RedeemToken(ctx, "session-1", c.seq, exp)
		if err != nil || got != c.want {
			t.Errorf("redeem %d = %v, %v; want %v", c.seq, got, err, c.want)
		}
	}
}

// One replica leads the periodic duties until its lease lapses.
func TestLeaderLease(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a := open(t, url, "a", postgres.Options{})
	b := open(t, url, "b", postgres.Options{})
	for _, c := range []struct {
		db   *postgres.DB
		want bool
	}{{a, true}, {b, false}, {a, true}} {
		if got, err := c.db.Lead(ctx, "duty", time.Hour); err != nil || got != c.want {
			t.Fatalf("%s leads = %v, %v; want %v", c.db.Owner(), got, err, c.want)
		}
	}
	if _, err := a.Pool().Exec(ctx, `UPDATE leases SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Lead(ctx, "duty", time.Hour); !got {
		t.Fatal("b does not take over a lapsed lease")
	}
	if got, _ := a.Lead(ctx, "duty", time.Hour); got {
		t.Fatal("a still leads")
	}
}

// A batch of outcomes counts only for the items whose lease is held: an item
// another replica took over gets ErrLeaseLost and its effect does not run;
// the others are recorded, with and without effects.
func TestOutboxCompleteAfterTakeover(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	a := open(t, url, "a", postgres.Options{Lease: time.Hour})
	b := open(t, url, "b", postgres.Options{Lease: time.Hour})
	oa, ob := postgres.NewOutboxStore(a), postgres.NewOutboxStore(b)
	for range 4 {
		enqueueOn(t, a, "k")
	}
	items, err := oa.Claim(ctx, time.Now(), 10, 0)
	if err != nil || len(items) != 4 {
		t.Fatalf("a claims: %v %+v", err, items)
	}
	// b takes over items 1 (plain) and 3 (with an effect).
	for _, i := range []int{1, 3} {
		if _, err := a.Pool().Exec(ctx, `UPDATE outbox SET lease_until = 0 WHERE id = $1`, items[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := ob.Claim(ctx, time.Now(), 10, 0); err != nil || len(got) != 2 {
		t.Fatalf("b takes over: %v %+v", err, got)
	}
	var ran []int
	effect := func(i int) outbox.Effect {
		return func(context.Context, outbox.Tx) error { ran = append(ran, i); return nil }
	}
	now := time.Now()
	outs := []outbox.Outcome{
		{ID: items[0].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone},
		{ID: items[1].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone},
		{ID: items[2].ID, Attempt: outbox.Attempt{Started: now, Error: "busy"}, Next: outbox.StatePending, Due: now.Add(time.Hour), Effect: effect(2)},
		{ID: items[3].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone, Effect: effect(3)},
	}
	errs, err := oa.Complete(ctx, outs)
	if err != nil || len(errs) != 4 {
		t.Fatalf("Complete = %v, %v", errs, err)
	}
	for i, lost := range []bool{false, true, false, true} {
		if got := errors.Is(errs[i], postgres.ErrLeaseLost); got != lost || (!lost && errs[i] != nil) {
			t.Errorf("outcome %d: %v, want lease lost %v", i, errs[i], lost)
		}
	}
	if len(ran) != 1 || ran[0] != 2 {
		t.Errorf("effects ran for %v, want [2]", ran)
	}
	for i, want := range []outbox.State{outbox.StateDone, outbox.StateRunning, outbox.StatePending, outbox.StateRunning} {
		attempts := 1 // recorded by a
		if want == outbox.StateRunning {
			attempts = 0 // b's to record
		}
		r, err := oa.Get(ctx, items[i].ID)
		if err != nil || r.State != want || len(r.History) != attempts {
			t.Errorf("item %d: %v %+v, want %s", i, err, r, want)
		}
	}
}
