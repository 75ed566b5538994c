package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
)

func newExec(id, kc, service, state string) *keptn.SequenceExecution {
	return &keptn.SequenceExecution{
		ID: id, Sequence: keptn.Sequence{Name: "delivery"},
		Status: keptn.SequenceStatus{State: state},
		Scope:  keptn.SequenceScope{Project: "p", Stage: "dev", Service: service, KeptnContext: kc, TriggeredID: id},
	}
}

// The sequence store: FIFO queue per slot, slot holding, lookup by current
// task, pauses, and timers cancelled only while pending.
func TestSequenceStore(t *testing.T) {
	db := openTest(t)
	store := NewKeptnStore(db)
	ctx := context.Background()
	update := func(fn func(keptn.Tx) error) {
		t.Helper()
		if err := store.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx keptn.Tx) error {
		for _, e := range []*keptn.SequenceExecution{
			newExec("a", "k1", "web", keptn.StateStarted),
			newExec("b", "k2", "web", keptn.StateWaiting),
			newExec("c", "k3", "web", keptn.StateWaiting),
			newExec("d", "k4", "api", keptn.StateWaiting),
		} {
			if err := tx.PutExecution(e); err != nil {
				return err
			}
		}
		return nil
	})
	update(func(tx keptn.Tx) error {
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); !taken {
			t.Error("slot of web should be taken by a")
		}
		if taken, _ := tx.SlotTaken("p", "dev", "web", "a"); taken {
			t.Error("slot taken by someone other than a")
		}
		if next, _ := tx.NextWaiting("p", "dev", "web"); next == nil || next.ID != "b" {
			t.Errorf("next waiting = %+v, want b (FIFO)", next)
		}
		// a pauses while running: it keeps the slot.
		a, _ := tx.Execution("a")
		a.Status.StateBeforePause, a.Status.State = a.Status.State, keptn.StatePaused
		a.Status.CurrentTask = keptn.TaskState{Name: "deployment", TriggeredID: "t1"}
		if err := tx.PutExecution(a); err != nil {
			return err
		}
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); !taken {
			t.Error("a paused running execution must keep its slot")
		}
		if e, _ := tx.ExecutionByTask("t1"); e == nil || e.ID != "a" || e.StoredState != keptn.StatePaused {
			t.Errorf("by task: %+v", e)
		}
		if e, _ := tx.ExecutionByTask(""); e != nil {
			t.Errorf("by empty task id: %+v", e)
		}
		if err := tx.PutExecution(newExec("a", "k9", "web", keptn.StateStarted)); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("duplicate id: %v, want conflict", err)
		}
		return nil
	})
	update(func(tx keptn.Tx) error {
		if err := tx.SetPaused("k1", "staging", true); err != nil {
			return err
		}
		if p, _ := tx.Paused("k1", "staging"); !p {
			t.Error("k1/staging should be paused")
		}
		if p, _ := tx.Paused("k1", "dev"); p {
			t.Error("k1/dev should not be paused")
		}
		tx.SetPaused("k1", "", true)
		if p, _ := tx.Paused("k1", "dev"); !p {
			t.Error("a pause for all stages covers dev")
		}
		tx.SetPaused("k1", "", false)
		if p, _ := tx.Paused("k1", "staging"); p {
			t.Error("resuming all stages clears stage pauses too")
		}
		return nil
	})
	// Timers: pending ones are cancelled, others are not.
	due := time.Now().Add(time.Hour)
	update(func(tx keptn.Tx) error {
		tx.Enqueue(keptn.Job{Kind: "sequence.timer", Key: "a", Payload: []byte("{}"), Due: due})
		tx.Enqueue(keptn.Job{Kind: "sequence.timer", Key: "b", Payload: []byte("{}"), Due: due})
		tx.Enqueue(keptn.Job{Kind: "other", Key: "a", Payload: []byte("{}"), Due: due})
		return nil
	})
	update(func(tx keptn.Tx) error { return tx.CancelTimers("sequence.timer", "a") })
	var n int
	db.Reader().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n)
	if n != 2 {
		t.Errorf("%d outbox items after cancelling a's timers, want 2", n)
	}
}
