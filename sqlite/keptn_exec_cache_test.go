package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// cachedBody returns the body the cache holds a copy of execution seq for,
// or nil.
func cachedBody(c *execCache, seq int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[seq].body
}

// storedExecution decodes the committed row of execution id.
func storedExecution(t *testing.T, db *DB, id string) (*keptn.SequenceExecution, []byte) {
	t.Helper()
	var seq int64
	var body []byte
	if err := db.Reader().QueryRow(`SELECT seq, body FROM sequence_executions WHERE id = ?`, id).Scan(&seq, &body); err != nil {
		t.Fatal(err)
	}
	e, err := keptn.DecodeExecution(seq, body)
	if err != nil {
		t.Fatal(err)
	}
	return e, body
}

// The execution cache answers a load only with what decoding the stored row
// gives: after a commit it serves a copy equal to the decoded execution,
// after a savepoint rolled a change back it serves the committed state, not
// the change it had already copied, and an execution it cannot copy is
// decoded.
func TestExecutionCache(t *testing.T) {
	db := openTest(t)
	s := NewKeptnStore(db)
	ctx := context.Background()
	e := &keptn.SequenceExecution{
		ID: "a", Sequence: keptn.Sequence{Name: "delivery", Tasks: []keptn.Task{{Name: "deployment"}}},
		Status: keptn.SequenceStatus{State: keptn.StateStarted, PreviousTasks: []keptn.TaskResult{},
			CurrentTask: keptn.TaskState{Name: "deployment", TriggeredID: "t1"}},
		Scope:           keptn.SequenceScope{Project: "p", Stage: "dev", Service: "web", KeptnContext: "k", TriggeredID: "a"},
		InputProperties: map[string]any{"project": "p", "n": 1, "list": []any{json.Number("2.50"), true, nil}},
	}
	if err := s.Update(ctx, func(tx keptn.Tx) error { return tx.PutExecution(e) }); err != nil {
		t.Fatal(err)
	}
	want, body := storedExecution(t, db, "a")
	if !bytes.Equal(cachedBody(&s.execs, e.Seq), body) {
		t.Fatal("the committed execution is not cached")
	}
	var cached *keptn.SequenceExecution
	if err := s.Update(ctx, func(tx keptn.Tx) error {
		got, err := tx.ExecutionByTask("t1")
		cached = got
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cached, want) {
		t.Fatalf("cached load (-got +want):\n%s", cmp.Diff(cached, want))
	}
	if s.execs.take(e.Seq, body) != nil {
		t.Fatal("a cached execution was left in the cache after it was handed out")
	}

	// A change whose savepoint rolls back is copied into the cache, but a
	// load must not see it.
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx keptn.Tx) error {
		x, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		x.Baton.Started = 7
		if err := tx.PutExecution(x); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if b := cachedBody(&s.execs, e.Seq); b == nil || bytes.Equal(b, body) {
		t.Fatal("the rolled back change was not cached")
	}
	if err := s.Update(ctx, func(tx keptn.Tx) error {
		got, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("load after rollback (-got +want):\n%s", diff)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// An execution DecodedCopy declines (a string that is not UTF-8) is
	// not cached, and its load decodes the row: the replacement character
	// where the encoding put it.
	if err := s.Update(ctx, func(tx keptn.Tx) error {
		x, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		x.Scope.Message = "bad \xff byte"
		return tx.PutExecution(x)
	}); err != nil {
		t.Fatal(err)
	}
	if b := cachedBody(&s.execs, e.Seq); b != nil {
		t.Fatalf("an execution with invalid UTF-8 was cached: %s", b)
	}
	if err := s.Update(ctx, func(tx keptn.Tx) error {
		got, err := tx.ExecutionByTask("t1")
		if err != nil {
			return err
		}
		if got.Scope.Message != "bad \uFFFD byte" {
			t.Errorf("message %q", got.Scope.Message)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
