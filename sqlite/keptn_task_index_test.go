package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// The task index answers ExecutionByTask only with committed rows that no
// later write superseded: a write rolled back, a second write of the same
// execution in the transaction (here: ending it), and deleting a project's
// executions each leave the query to answer; a write is visible to its own
// transaction through the query.
func TestTaskIndex(t *testing.T) {
	db := openTest(t)
	s := NewKeptnStore(db)
	ctx := context.Background()
	newExec := func(id, tid string) *keptn.SequenceExecution {
		return &keptn.SequenceExecution{
			ID: id, Sequence: keptn.Sequence{Name: "delivery", Tasks: []keptn.Task{{Name: "deployment"}, {Name: "test"}}},
			Status: keptn.SequenceStatus{State: keptn.StateStarted, PreviousTasks: []keptn.TaskResult{},
				CurrentTask: keptn.TaskState{Name: "deployment", TriggeredID: tid}},
			Scope: keptn.SequenceScope{Project: "p", Stage: "dev", Service: "web", KeptnContext: "k" + id, TriggeredID: id},
		}
	}
	update := func(fn func(tx *keptnTx) error) error {
		return s.Update(ctx, func(tx keptn.Tx) error { return fn(tx.(*keptnTx)) })
	}
	byTask := func(tid string) *keptn.SequenceExecution {
		t.Helper()
		var got *keptn.SequenceExecution
		if err := update(func(tx *keptnTx) error {
			var err error
			got, err = tx.ExecutionByTask(tid)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	indexed := func(tid string) bool {
		_, ok := s.tasks.get(tid)
		return ok
	}

	a := newExec("a", "t1")
	if err := update(func(tx *keptnTx) error { return tx.PutExecution(a) }); err != nil {
		t.Fatal(err)
	}
	if !indexed("t1") {
		t.Fatal("a committed execution is not indexed by its task")
	}
	want, _ := storedExecution(t, db, "a")
	if diff := cmp.Diff(byTask("t1"), want); diff != "" {
		t.Fatalf("indexed load (-got +want):\n%s", diff)
	}

	boom := errors.New("boom")
	if err := update(func(tx *keptnTx) error {
		x, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		x.Baton.Started = 7
		if err := tx.PutExecution(x); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if diff := cmp.Diff(byTask("t1"), want); diff != "" {
		t.Errorf("load after a rolled-back write (-got +want):\n%s", diff)
	}

	if err := update(func(tx *keptnTx) error {
		x, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		x.Status.CurrentTask = keptn.TaskState{Name: "test", TriggeredID: "t2"}
		if err := tx.PutExecution(x); err != nil {
			return err
		}
		if got, err := tx.ExecutionByTask("t1"); err != nil || got != nil {
			t.Errorf("old task in the writing transaction: %v, %v", got, err)
		}
		if got, err := tx.ExecutionByTask("t2"); err != nil || got == nil || got.Status.CurrentTask.Name != "test" {
			t.Errorf("new task in the writing transaction: %+v, %v", got, err)
		}
		x.Status.State = keptn.StateFinished // written twice in one transaction: the second write counts
		return tx.PutExecution(x)
	}); err != nil {
		t.Fatal(err)
	}
	if indexed("t1") || indexed("t2") {
		t.Error("an ended execution is indexed by its task")
	}
	if got := byTask("t2"); got == nil || got.Status.State != keptn.StateFinished || byTask("t1") != nil {
		t.Errorf("load of an ended execution: %+v", got)
	}

	b := newExec("b", "t3")
	if err := update(func(tx *keptnTx) error {
		if err := tx.PutExecution(b); err != nil {
			return err
		}
		return tx.deleteSequenceState("p")
	}); err != nil {
		t.Fatal(err)
	}
	if indexed("t3") || byTask("t3") != nil {
		t.Error("a deleted execution is found by its task")
	}
}
