package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

func newExec(id, kc, service, state string) *keptn.SequenceExecution {
	return &keptn.SequenceExecution{
		ID: id, Sequence: keptn.Sequence{Name: "delivery"},
		Status: keptn.SequenceStatus{State: state},
		Scope:  keptn.SequenceScope{Project: "p", Stage: "dev", Service: service, KeptnContext: kc, TriggeredID: id},
	}
}

// Sequences: FIFO queue per slot, slot holding, lookup by current task,
// pauses, and timers cancelled only while pending.
func testSequences(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	update(t, s, func(tx keptn.Tx) error {
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
	update(t, s, func(tx keptn.Tx) error {
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); !taken {
			t.Error("slot of web should be taken by a")
		}
		if taken, _ := tx.SlotTaken("p", "dev", "web", "a"); taken {
			t.Error("slot taken by someone other than a")
		}
		if w, _ := tx.HasWaiting("p", "dev", "web"); !w {
			t.Error("b and c wait for web")
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
		if e, _ := tx.Execution("none"); e != nil {
			t.Errorf("missing execution: %+v", e)
		}
		if err := tx.PutExecution(newExec("a", "k9", "web", keptn.StateStarted)); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("duplicate id: %v, want conflict", err)
		}
		return nil
	})
	// The slot passes from a to b inside one transaction.
	update(t, s, func(tx keptn.Tx) error {
		a, _ := tx.Execution("a")
		a.Status.State = keptn.StateFinished
		if err := tx.PutExecution(a); err != nil {
			return err
		}
		b, _ := tx.NextWaiting("p", "dev", "web")
		b.Status.State = keptn.StateStarted
		return tx.PutExecution(b)
	})
	update(t, s, func(tx keptn.Tx) error {
		if taken, _ := tx.SlotTaken("p", "dev", "web", "b"); taken {
			t.Error("slot of web held by someone other than b")
		}
		if next, _ := tx.NextWaiting("p", "dev", "web"); next == nil || next.ID != "c" {
			t.Errorf("next waiting = %+v, want c", next)
		}
		if got, _ := tx.ExecutionsByContext("k2"); len(got) != 1 || got[0].ID != "b" {
			t.Errorf("by context: %+v", got)
		}
		return nil
	})
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.SetPaused("k1", "staging", true); err != nil {
			return err
		}
		if err := tx.SetPaused("k1", "staging", true); err != nil {
			t.Errorf("pausing twice: %v", err)
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
	update(t, s, func(tx keptn.Tx) error {
		tx.Enqueue(keptn.Job{Kind: "sequence.timer", Key: "a", Payload: []byte("{}"), Due: due})
		tx.Enqueue(keptn.Job{Kind: "sequence.timer", Key: "b", Payload: []byte("{}"), Due: due})
		tx.Enqueue(keptn.Job{Kind: "other", Key: "a", Payload: []byte("{}"), Due: due})
		return nil
	})
	update(t, s, func(tx keptn.Tx) error { return tx.CancelTimers("sequence.timer", "a") })
	if d, err := s.Outbox.Depth(ctx); err != nil || d[outbox.StatePending] != 2 {
		t.Errorf("pending outbox items after cancelling a's timers: %v %v, want 2", d, err)
	}
}

// SequenceReads: contexts, executions and open .triggered events.
func testSequenceReads(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p", "web")
	insertEvents(t, s,
		event("t1", "sh.keptn.event.deployment.triggered", "k1", 1, "p", "dev", "web", ""),
		event("t2", "sh.keptn.event.deployment.triggered", "k2", 2, "p", "dev", "web", ""),
		event("t3", "sh.keptn.event.test.triggered", "k2", 3, "p", "dev", "web", ""),
	)
	update(t, s, func(tx keptn.Tx) error {
		for i, c := range []keptn.SequenceContext{
			{KeptnContext: "k1", Project: "p", Service: "web", Name: "delivery", Time: t0.Add(time.Second), State: keptn.StateStarted},
			{KeptnContext: "k2", Project: "p", Service: "web", Name: "evaluation", Time: t0.Add(2 * time.Second), State: keptn.StateWaiting},
		} {
			if err := tx.PutSequenceContext(c); err != nil {
				return err
			}
			if err := tx.PutExecution(newExec([]string{"x1", "x2"}[i], c.KeptnContext, "web", c.State)); err != nil {
				return err
			}
		}
		// A second put changes only the state.
		if err := tx.PutSequenceContext(keptn.SequenceContext{KeptnContext: "k1", Project: "other", Name: "x", State: keptn.StateFinished}); err != nil {
			return err
		}
		for _, o := range []keptn.OpenEvent{
			{ID: "t1", Type: "sh.keptn.event.deployment.triggered", Project: "p", Stage: "dev", Service: "web", ExecutionID: "x1", Due: t0},
			{ID: "t2", Type: "sh.keptn.event.deployment.triggered", Project: "p", Stage: "dev", Service: "web", ExecutionID: "x2", Due: t0.Add(time.Hour)},
			{ID: "t3", Type: "sh.keptn.event.test.triggered", Project: "p", Stage: "dev", Service: "web", ExecutionID: "x2", Due: t0},
		} {
			if err := tx.AddOpenEvent(o); err != nil {
				return err
			}
		}
		return tx.DeleteOpenEvent("t3")
	})
	got, total, err := s.Keptn.SequenceContexts(ctx, keptn.SequenceFilter{Project: "p", Limit: 10})
	if err != nil || total != 2 || len(got) != 2 || got[0].KeptnContext != "k2" || got[1].State != keptn.StateFinished || got[1].Project != "p" {
		t.Errorf("SequenceContexts: %v %d %+v", err, total, got)
	}
	if got, total, _ := s.Keptn.SequenceContexts(ctx, keptn.SequenceFilter{Project: "p", Name: "delivery", Limit: 10}); total != 1 || got[0].KeptnContext != "k1" {
		t.Errorf("by name: %d %+v", total, got)
	}
	if got, _, _ := s.Keptn.SequenceContexts(ctx, keptn.SequenceFilter{Project: "p", KeptnContext: []string{"k1"}, Limit: 10}); len(got) != 1 {
		t.Errorf("by context: %+v", got)
	}
	if ex, err := s.Keptn.ContextExecutions(ctx, []string{"k1", "k2"}); err != nil || len(ex) != 2 || ex[0].ID != "x1" {
		t.Errorf("ContextExecutions: %v %+v", err, ex)
	}
	if ex, total, err := s.Keptn.Executions(ctx, keptn.ExecutionFilter{Project: "p", State: keptn.StateWaiting, Limit: 10}); err != nil || total != 1 || ex[0].ID != "x2" {
		t.Errorf("Executions: %v %d %+v", err, total, ex)
	}
	open, total, err := s.Keptn.OpenEvents(ctx, keptn.OpenEventFilter{Type: "sh.keptn.event.deployment.triggered", Now: t0.Add(time.Minute), Limit: 10})
	if err != nil || total != 1 || len(open) != 1 || ids(open)[0] != "t1" {
		t.Errorf("OpenEvents now: %v %d %v", err, total, ids(open))
	}
	open, total, _ = s.Keptn.OpenEvents(ctx, keptn.OpenEventFilter{Type: "sh.keptn.event.deployment.triggered", Project: "p", Now: t0.Add(2 * time.Hour), Limit: 10})
	if total != 2 || len(open) != 2 || ids(open)[1] != "t2" {
		t.Errorf("OpenEvents later: %d %v", total, ids(open))
	}
	if open, _, _ := s.Keptn.OpenEvents(ctx, keptn.OpenEventFilter{Type: "sh.keptn.event.test.triggered", Now: t0.Add(time.Hour), Limit: 10}); len(open) != 0 {
		t.Errorf("closed event still open: %v", ids(open))
	}
}

// Deletion: a project's active executions are found, its pending jobs of a
// kind are ended, and deleting it removes its sequence state.
func testDeletion(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p", "web", "api")
	job := func(service string) keptn.Job {
		return keptn.Job{Kind: "webhook", Key: service, Payload: []byte(`{"event":{"data":{"project":"p","service":"` + service + `"}}}`)}
	}
	update(t, s, func(tx keptn.Tx) error {
		for _, x := range []*keptn.SequenceExecution{
			newExec("a", "k1", "web", keptn.StateStarted), newExec("b", "k2", "api", keptn.StateWaiting),
			newExec("c", "k3", "web", keptn.StateFinished),
		} {
			if err := tx.PutExecution(x); err != nil {
				return err
			}
		}
		for _, j := range []keptn.Job{job("web"), job("api"), {Kind: "timer", Key: "t", Payload: []byte("{}")}} {
			if err := tx.Enqueue(j); err != nil {
				return err
			}
		}
		return tx.PutSequenceContext(keptn.SequenceContext{KeptnContext: "k1", Project: "p", Service: "web", Name: "delivery", Time: t0, State: keptn.StateStarted})
	})
	update(t, s, func(tx keptn.Tx) error {
		if xs, err := tx.ActiveExecutions("p", ""); err != nil || len(xs) != 2 || xs[0].ID != "a" {
			t.Errorf("active: %v %v", err, execIDs(xs))
		}
		if xs, _ := tx.ActiveExecutions("p", "api"); len(xs) != 1 || xs[0].ID != "b" {
			t.Errorf("active of api: %v", execIDs(xs))
		}
		if n, err := tx.EndJobs("webhook", "p", "web", "service deleted"); err != nil || n != 1 {
			t.Errorf("EndJobs(web) = %d, %v", n, err)
		}
		return nil
	})
	if d, _ := s.Outbox.Depth(ctx); d[outbox.StateDead] != 1 || d[outbox.StatePending] != 2 {
		t.Errorf("depth after ending web's jobs: %v", d)
	}
	update(t, s, func(tx keptn.Tx) error { return tx.DeleteProject("p") })
	if xs, total, _ := s.Keptn.Executions(ctx, keptn.ExecutionFilter{Project: "p", Limit: 10}); total != 0 {
		t.Errorf("executions after deleting the project: %v", execIDs(xs))
	}
	if _, total, _ := s.Keptn.SequenceContexts(ctx, keptn.SequenceFilter{Project: "p", Limit: 10}); total != 0 {
		t.Errorf("%d sequence contexts after deleting the project", total)
	}
}

// SequenceRollback: a load sees the committed execution, never a change
// whose transaction rolled back, however often the two alternate (stores may
// cache executions between transactions).
func testSequenceRollback(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	a := newExec("a", "k1", "web", keptn.StateStarted)
	a.Status.CurrentTask = keptn.TaskState{Name: "deployment", TriggeredID: "t1"}
	update(t, s, func(tx keptn.Tx) error { return tx.PutExecution(a) })
	boom := errors.New("boom")
	for i := 1; i <= 50; i++ {
		err := s.Keptn.Update(ctx, func(tx keptn.Tx) error {
			x, err := tx.ExecutionByTask("t1")
			if err != nil || x == nil {
				return fmt.Errorf("load: %v, %v", x, err)
			}
			x.Baton.Finished = 1000 + i
			if err := tx.PutExecution(x); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("round %d: %v", i, err)
		}
		update(t, s, func(tx keptn.Tx) error {
			x, err := tx.ExecutionByTask("t1")
			if err != nil || x == nil {
				return fmt.Errorf("load: %v, %v", x, err)
			}
			if x.Baton.Started != i-1 || x.Baton.Finished != 0 {
				t.Errorf("round %d: started %d finished %d, want %d and 0 (the committed state)", i, x.Baton.Started, x.Baton.Finished, i-1)
			}
			x.Baton.Started = i
			return tx.PutExecution(x)
		})
	}
}

// SequenceColumns: updates that change only an execution's body and ones
// that change its indexed columns (current task, state, slot) both leave
// every lookup right.
func testSequenceColumns(t *testing.T, e Engine) {
	s := e.Open(t)
	a := newExec("a", "k1", "web", keptn.StateStarted)
	a.Status.CurrentTask = keptn.TaskState{Name: "deployment", TriggeredID: "t1"}
	update(t, s, func(tx keptn.Tx) error { return tx.PutExecution(a) })
	byTask := func(tx keptn.Tx, id string) (*keptn.SequenceExecution, error) {
		x, err := tx.ExecutionByTask(id)
		if err == nil && x == nil {
			err = fmt.Errorf("no execution has the current task %s", id)
		}
		return x, err
	}
	update(t, s, func(tx keptn.Tx) error { // body only
		x, err := byTask(tx, "t1")
		if err != nil {
			return err
		}
		x.Baton.Started = 1
		return tx.PutExecution(x)
	})
	update(t, s, func(tx keptn.Tx) error { // the next task
		x, err := byTask(tx, "t1")
		if err != nil {
			return err
		}
		if x.Baton.Started != 1 {
			t.Errorf("after a body-only update: started %d, want 1", x.Baton.Started)
		}
		x.Status.CurrentTask = keptn.TaskState{Name: "test", TriggeredID: "t2"}
		return tx.PutExecution(x)
	})
	update(t, s, func(tx keptn.Tx) error { // finished, from a copy whose row columns are unknown
		if x, _ := tx.ExecutionByTask("t1"); x != nil {
			t.Errorf("the previous task still finds %s", x.ID)
		}
		x, err := byTask(tx, "t2")
		if err != nil {
			return err
		}
		x.Stored = nil
		x.Status.State, x.Status.CurrentTask = keptn.StateFinished, keptn.TaskState{}
		return tx.PutExecution(x)
	})
	update(t, s, func(tx keptn.Tx) error {
		if x, _ := tx.ExecutionByTask("t2"); x != nil {
			t.Errorf("a finished execution is found by its last task: %s", x.ID)
		}
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); taken {
			t.Error("a finished execution holds its slot")
		}
		return tx.PutExecution(newExec("b", "k2", "web", keptn.StateStarted))
	})
	update(t, s, func(tx keptn.Tx) error { // b waits, its task unchanged
		b, err := tx.Execution("b")
		if err != nil || b == nil {
			return fmt.Errorf("load b: %v, %v", b, err)
		}
		b.Status.State = keptn.StateWaiting
		if err := tx.PutExecution(b); err != nil {
			return err
		}
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); taken {
			t.Error("a waiting execution holds its slot")
		}
		if next, _ := tx.NextWaiting("p", "dev", "web"); next == nil || next.ID != "b" {
			t.Errorf("next waiting = %+v, want b", next)
		}
		return nil
	})
	update(t, s, func(tx keptn.Tx) error { // b runs its first task
		b, err := tx.Execution("b")
		if err != nil || b == nil {
			return fmt.Errorf("load b: %v, %v", b, err)
		}
		b.Status.State, b.Status.CurrentTask = keptn.StateStarted, keptn.TaskState{Name: "deployment", TriggeredID: "t3"}
		return tx.PutExecution(b)
	})
	update(t, s, func(tx keptn.Tx) error { // b pauses: only its state changes, it keeps the slot
		b, err := byTask(tx, "t3")
		if err != nil {
			return err
		}
		b.Status.StateBeforePause, b.Status.State = b.Status.State, keptn.StatePaused
		return tx.PutExecution(b)
	})
	update(t, s, func(tx keptn.Tx) error {
		if taken, _ := tx.SlotTaken("p", "dev", "web", ""); !taken {
			t.Error("a paused running execution must keep its slot")
		}
		if w, _ := tx.HasWaiting("p", "dev", "web"); w {
			t.Error("nothing waits once b runs")
		}
		if b, _ := byTask(tx, "t3"); b == nil || b.ID != "b" || b.StoredState != keptn.StatePaused {
			t.Errorf("by task after the pause: %+v", b)
		}
		return nil
	})
	got, _, err := s.Keptn.Executions(context.Background(), keptn.ExecutionFilter{Project: "p", State: keptn.StatePaused, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "b" {
		t.Errorf("paused executions: %+v, want b", got)
	}
}
