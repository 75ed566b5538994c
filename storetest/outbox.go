package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// unorderedTx is the part of keptn.Tx an effect's transaction also has in
// both stores: an effect that stores events runs the sequence engine, which
// logs through it.
type unorderedTx interface{ AfterCommitUnordered(f func()) }

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

// OutboxComplete: one Complete records several outcomes; each effect commits
// with its outcome, a failing effect rolls back alone (its changes and its
// after-commit functions) and leaves its item running, and an effect made
// by an earlier attempt (ErrAlreadyApplied) still lets the outcome count.
func testOutboxComplete(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	p := []byte("p")
	enqueue(t, s, keptn.Job{Kind: "k", Key: "a", Payload: p}, keptn.Job{Kind: "k", Key: "b", Payload: p}, keptn.Job{Kind: "k", Key: "c", Payload: p}, keptn.Job{Kind: "k", Key: "d", Payload: p})
	items, err := s.Outbox.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != 4 {
		t.Fatalf("claim: %v %+v", err, items)
	}
	insert := func(id string) outbox.Effect {
		return func(ctx context.Context, tx outbox.Tx) error {
			ev := event(id, "sh.keptn.event.x.finished", "kc-"+id, 1, "p", "s", "svc", "")
			body, _ := json.Marshal(ev)
			err := s.KeptnOfOutbox(tx).InsertEvent(ev, body)
			if keptn.ErrorCode(err) == keptn.CodeConflict {
				return outbox.ErrAlreadyApplied
			}
			return err
		}
	}
	boom := errors.New("boom")
	var ranAfterFailed, ranAfterOK, ranUnorderedFailed, ranUnorderedOK bool
	now := time.Now()
	outs := []outbox.Outcome{
		{ID: items[0].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone, Effect: insert("e1")},
		{ID: items[1].ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone,
			Effect: func(ctx context.Context, tx outbox.Tx) error {
				if err := insert("e2")(ctx, tx); err != nil {
					return err
				}
				tx.AfterCommit(func() { ranAfterFailed = true })
				tx.(unorderedTx).AfterCommitUnordered(func() { ranUnorderedFailed = true })
				return boom
			}},
		{ID: items[2].ID, Attempt: outbox.Attempt{Started: now, Error: "bad"}, Next: outbox.StateDead, Effect: insert("e1")},
		{ID: items[3].ID, Attempt: outbox.Attempt{Started: now, Status: 204}, Next: outbox.StateDone,
			Effect: func(ctx context.Context, tx outbox.Tx) error {
				tx.AfterCommit(func() { ranAfterOK = true })
				tx.(unorderedTx).AfterCommitUnordered(func() { ranUnorderedOK = true })
				return nil
			}},
	}
	errs, err := s.Outbox.Complete(ctx, outs)
	if err != nil || len(errs) != len(outs) {
		t.Fatalf("Complete = %v, %v", errs, err)
	}
	var ee *outbox.EffectError
	if errs[0] != nil || !errors.As(errs[1], &ee) || !errors.Is(errs[1], boom) || errs[2] != nil || errs[3] != nil {
		t.Errorf("per-outcome errors = %v", errs)
	}
	if ranAfterFailed || !ranAfterOK {
		t.Errorf("after-commit functions: of the failed effect ran %v, of the good one %v", ranAfterFailed, ranAfterOK)
	}
	if ranUnorderedFailed || !ranUnorderedOK {
		t.Errorf("unordered after-commit functions: of the failed effect ran %v, of the good one %v", ranUnorderedFailed, ranUnorderedOK)
	}
	for i, want := range []outbox.State{outbox.StateDone, outbox.StateRunning, outbox.StateDead, outbox.StateDone} {
		r, err := s.Outbox.Get(ctx, items[i].ID)
		if err != nil || r.State != want {
			t.Errorf("item %d: %v state %v, want %v", i, err, r, want)
		}
	}
	for id, want := range map[string]int{"e1": 1, "e2": 0} {
		if _, n, err := s.Keptn.Events(ctx, keptn.EventFilter{EventID: id, Limit: 10}); err != nil || n != want {
			t.Errorf("events %s: %d (%v), want %d", id, n, err, want)
		}
	}
	// The failed one is still this worker's to record.
	if errs, err := s.Outbox.Complete(ctx, []outbox.Outcome{{ID: items[1].ID, Attempt: outbox.Attempt{Started: now, Error: "effect failed"},
		Next: outbox.StatePending, Due: now.Add(time.Hour)}}); err != nil || errs != nil {
		t.Fatalf("Complete again = %v, %v", errs, err)
	}
	if r, _ := s.Outbox.Get(ctx, items[1].ID); r.State != outbox.StatePending || len(r.History) != 1 {
		t.Errorf("after re-recording: %+v", r)
	}
}

// OutboxCompleteEffects: when every effect of a batch succeeds, all commit
// with their outcomes and every after-commit function runs; an effect that
// panics fails alone, its changes rolled back, as one that errs does,
// while effects before and after it in the batch commit.
func testOutboxCompleteEffects(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	var jobs []keptn.Job
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		jobs = append(jobs, keptn.Job{Kind: "k", Key: k, Payload: []byte("p")})
	}
	enqueue(t, s, jobs...)
	items, err := s.Outbox.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil || len(items) != len(jobs) {
		t.Fatalf("claim: %v %+v", err, items)
	}
	after := make([]bool, len(items))
	effect := func(i int, fail bool) outbox.Effect {
		return func(ctx context.Context, tx outbox.Tx) error {
			id := "fx" + strconv.Itoa(i)
			ev := event(id, "sh.keptn.event.x.finished", "kc-"+id, 1, "p", "s", "svc", "")
			body, _ := json.Marshal(ev)
			if err := s.KeptnOfOutbox(tx).InsertEvent(ev, body); err != nil {
				return err
			}
			tx.AfterCommit(func() { after[i] = true })
			if fail {
				panic("effect " + id)
			}
			return nil
		}
	}
	now := time.Now()
	outcomes := func(failing int) []outbox.Outcome {
		var outs []outbox.Outcome
		for i, it := range items[:3] {
			if failing >= 0 {
				i += 3
				it = items[i]
			}
			outs = append(outs, outbox.Outcome{ID: it.ID, Attempt: outbox.Attempt{Started: now, Status: 200}, Next: outbox.StateDone,
				Effect: effect(i, i == failing)})
		}
		return outs
	}
	if errs, err := s.Outbox.Complete(ctx, outcomes(-1)); err != nil || errs != nil {
		t.Fatalf("Complete = %v, %v", errs, err)
	}
	errs, err := s.Outbox.Complete(ctx, outcomes(4))
	var ee *outbox.EffectError
	if err != nil || len(errs) != 3 || errs[0] != nil || !errors.As(errs[1], &ee) || errs[2] != nil {
		t.Fatalf("Complete with a panicking effect = %v, %v", errs, err)
	}
	for i, it := range items {
		wantState, wantEvents := outbox.StateDone, 1
		if i == 4 {
			wantState, wantEvents = outbox.StateRunning, 0
		}
		if r, err := s.Outbox.Get(ctx, it.ID); err != nil || r.State != wantState {
			t.Errorf("item %d: %v %+v, want %s", i, err, r, wantState)
		}
		if _, n, err := s.Keptn.Events(ctx, keptn.EventFilter{EventID: "fx" + strconv.Itoa(i), Limit: 10}); err != nil || n != wantEvents {
			t.Errorf("events of effect %d: %d (%v), want %d", i, n, err, wantEvents)
		}
		if after[i] != (wantEvents == 1) {
			t.Errorf("after-commit function of effect %d ran: %v", i, after[i])
		}
	}
}
