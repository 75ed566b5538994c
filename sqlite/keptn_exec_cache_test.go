package sqlite

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// cachedBody waits until the cache holds an entry for seq decoded from a body
// that satisfies ok, and returns that body.
func cachedBody(t *testing.T, c *execCache, seq int64, ok func([]byte) bool) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		ent, found := c.entries[seq]
		c.mu.Unlock()
		if found && ok(ent.body) {
			return ent.body
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cache entry for execution %d", seq)
		}
		time.Sleep(time.Millisecond)
	}
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
// gives: after a commit it serves the decoded execution, and after a
// savepoint rolled a change back it serves the committed state, not the
// change it had already decoded.
func TestExecutionCache(t *testing.T) {
	db := openTest(t)
	s := NewKeptnStore(db)
	ctx := context.Background()
	e := &keptn.SequenceExecution{
		ID: "a", Sequence: keptn.Sequence{Name: "delivery", Tasks: []keptn.Task{{Name: "deployment"}}},
		Status: keptn.SequenceStatus{State: keptn.StateStarted, PreviousTasks: []keptn.TaskResult{},
			CurrentTask: keptn.TaskState{Name: "deployment", TriggeredID: "t1"}},
		Scope:           keptn.SequenceScope{Project: "p", Stage: "dev", Service: "web", KeptnContext: "k", TriggeredID: "a"},
		InputProperties: map[string]any{"project": "p", "n": 1},
	}
	if err := s.Update(ctx, func(tx keptn.Tx) error { return tx.PutExecution(e) }); err != nil {
		t.Fatal(err)
	}
	want, body := storedExecution(t, db, "a")
	cachedBody(t, &s.execs, e.Seq, func(b []byte) bool { return bytes.Equal(b, body) })
	var cached *keptn.SequenceExecution
	if err := s.Update(ctx, func(tx keptn.Tx) error {
		got, err := tx.ExecutionByTask("t1")
		cached = got
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cached, want); diff != "" {
		t.Fatalf("cached load (-got +want):\n%s", diff)
	}
	if s.execs.take(e.Seq, body) != nil {
		t.Fatal("a cached execution was left in the cache after it was handed out")
	}

	// A change whose savepoint rolls back is decoded into the cache, but a
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
	cachedBody(t, &s.execs, e.Seq, func(b []byte) bool { return !bytes.Equal(b, body) })
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
}
