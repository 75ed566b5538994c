package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

func enqueue(t testing.TB, s *Stores, jobs ...keptn.Job) {
	t.Helper()
	update(t, s, func(tx keptn.Tx) error {
		for _, j := range jobs {
			if err := tx.Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
}

// Outbox: enqueue wakes, claims respect due times and limits, a claimed item
// is not claimed again, attempts are recorded, retries, dead items replay.
func testOutbox(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	now := time.Now()
	// Drain a wake-up from before the commit, if any.
	select {
	case <-s.Outbox.Wake():
	default:
	}
	enqueue(t, s,
		keptn.Job{Kind: "webhook", Key: "k1", Payload: []byte("one")},
		keptn.Job{Kind: "webhook", Key: "k2", Payload: []byte("two")},
		keptn.Job{Kind: "timer", Key: "k3", Payload: []byte("later"), Due: now.Add(time.Hour)},
	)
	select {
	case <-s.Outbox.Wake():
	case <-time.After(10 * time.Second):
		t.Fatal("no wake-up after a commit that enqueued work")
	}
	if due, ok, err := s.Outbox.NextDue(ctx); err != nil || !ok || due.After(now) {
		t.Errorf("NextDue = %v %v %v, want at once", due, ok, err)
	}
	items, err := s.Outbox.Claim(ctx, now, 1, time.Minute)
	if err != nil || len(items) != 1 || string(items[0].Payload) != "one" || items[0].Attempts != 1 || items[0].Key != "k1" {
		t.Fatalf("first claim: %v %+v", err, items)
	}
	first := items[0]
	items, _ = s.Outbox.Claim(ctx, now, 10, time.Minute)
	if len(items) != 1 || string(items[0].Payload) != "two" {
		t.Fatalf("second claim: %+v (a claimed item or a future one was claimed again)", items)
	}
	second := items[0]
	if d, _ := s.Outbox.Depth(ctx); d[outbox.StateRunning] != 2 || d[outbox.StatePending] != 1 {
		t.Errorf("depth: %v", d)
	}
	a := outbox.Attempt{Started: now, Latency: 3 * time.Millisecond, Status: 500, Error: "boom", Excerpt: "oops"}
	if err := s.Outbox.Finish(ctx, first.ID, a, outbox.StatePending, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Outbox.Finish(ctx, second.ID, outbox.Attempt{Started: now, Status: 200}, outbox.StateDead, time.Time{}); err != nil {
		t.Fatal(err)
	}
	items, _ = s.Outbox.Claim(ctx, now, 10, time.Minute)
	if len(items) != 1 || items[0].ID != first.ID || items[0].Attempts != 2 {
		t.Fatalf("retry claim: %+v", items)
	}
	if err := s.Outbox.Finish(ctx, first.ID, outbox.Attempt{Started: now, Status: 204}, outbox.StateDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Outbox.Get(ctx, first.ID)
	if err != nil || r.State != outbox.StateDone || len(r.History) != 2 || r.History[0].Error != "boom" ||
		r.History[0].Latency != 3*time.Millisecond || r.History[1].Status != 204 || r.Kind != "webhook" {
		t.Errorf("Get: %v %+v", err, r)
	}
	if _, err := s.Outbox.Get(ctx, 1<<40); !errors.Is(err, outbox.ErrNotFound) {
		t.Errorf("Get missing: %v", err)
	}
	if err := s.Outbox.Replay(ctx, first.ID); !errors.Is(err, outbox.ErrNotDead) {
		t.Errorf("replay of a done item: %v", err)
	}
	if err := s.Outbox.Replay(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	items, _ = s.Outbox.Claim(ctx, now, 10, time.Minute)
	if len(items) != 1 || items[0].ID != second.ID {
		t.Fatalf("claim after replay: %+v", items)
	}
	list, total, err := s.Outbox.List(ctx, outbox.Filter{Kind: "webhook", Limit: 10})
	if err != nil || total != 2 || len(list) != 2 || list[0].ID != second.ID || list[0].State != outbox.StateRunning {
		t.Errorf("List webhook: %v %d %+v", err, total, list)
	}
	if _, total, _ := s.Outbox.List(ctx, outbox.Filter{State: outbox.StatePending, Limit: 10}); total != 1 {
		t.Errorf("pending: %d", total)
	}
	if items, _ := s.Outbox.Claim(ctx, now.Add(2*time.Hour), 10, time.Minute); len(items) != 1 || items[0].Kind != "timer" {
		t.Errorf("due timer: %+v", items)
	}
}

// OutboxRecover: an item a crashed process left running is claimable after
// the store is opened again and the worker recovers.
func testOutboxRecover(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	enqueue(t, s, keptn.Job{Kind: "k", Payload: []byte("p")})
	if items, _ := s.Outbox.Claim(ctx, time.Now(), 10, time.Minute); len(items) != 1 {
		t.Fatalf("claim: %+v", items)
	}
	s = e.Reopen(t, s)
	if err := s.Outbox.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	items, err := s.Outbox.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Attempts != 2 {
		t.Fatalf("claim after restart: %v %+v", err, items)
	}
}
