package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/postgres/pgtest"
)

// An effect that meets a conflict (here a deadlock, as two replicas' effects
// on the same rows can) fails its transaction, which runs again, not its
// item: the item is recorded done once and its call is not made again. The
// batch's other effect fails for good, so the conflict happens where each
// effect runs in a savepoint of its own.
func TestCompleteRunsAConflictAgain(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := NewOutboxStore(db)
	if err := db.Write(ctx, func(tx *Tx) error {
		for _, k := range []string{"broken", "conflicted"} {
			if err := tx.Enqueue(Job{Kind: "k", Key: k, Payload: []byte("p")}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 2 {
		t.Fatalf("claim: %v %+v", err, items)
	}
	broken := func(context.Context, outbox.Tx) error { return errors.New("broken for good") }
	runs := 0
	conflicted := func(context.Context, outbox.Tx) error {
		runs++
		if runs == 2 { // the first run with savepoints
			return &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
		}
		return nil
	}
	now := time.Now()
	errs, err := s.Complete(ctx, []outbox.Outcome{
		{ID: items[1].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone, Effect: conflicted},
		{ID: items[0].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone, Effect: broken},
	})
	var ee *outbox.EffectError
	if err != nil || len(errs) != 2 || errs[0] != nil || !errors.As(errs[1], &ee) {
		t.Fatalf("Complete = %v, %v; want the broken effect's error alone", errs, err)
	}
	if r, err := s.Get(ctx, items[1].ID); err != nil || r.State != outbox.StateDone {
		t.Fatalf("conflicted item: %v %+v, want done", err, r)
	}
	if runs != 3 {
		t.Fatalf("conflicted effect ran %d times, want 3 (bare, in a savepoint meeting the deadlock, again)", runs)
	}
}
