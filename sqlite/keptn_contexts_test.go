package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// After the first event of a context rolled back, the next one is the
// context's first, found by context and as its root.
func TestEventContextRollback(t *testing.T) {
	db := openTest(t)
	s := NewKeptnStore(db)
	ctx := context.Background()
	insert := func(id string, fail error) error {
		ev := &keptn.Event{ID: id, Type: "t", Source: "s", Shkeptncontext: "kx", Time: "2026-01-01T00:00:00Z"}
		return s.Update(ctx, func(tx keptn.Tx) error {
			if err := tx.InsertEvent(ev, []byte(`{"id":"`+id+`"}`)); err != nil {
				return err
			}
			return fail
		})
	}
	boom := errors.New("boom")
	if err := insert("e1", boom); !errors.Is(err, boom) {
		t.Fatalf("insert e1: %v", err)
	}
	for _, id := range []string{"e2", "e3"} {
		if err := insert(id, nil); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(f keptn.EventFilter) []string { return eventIDs(t, s, f) }
	if diff := cmp.Diff(ids(keptn.EventFilter{KeptnContext: []string{"kx"}}), []string{"e3", "e2"}); diff != "" {
		t.Errorf("by context (-got +want)\n%s", diff)
	}
	if diff := cmp.Diff(ids(keptn.EventFilter{Root: true}), []string{"e2"}); diff != "" {
		t.Errorf("roots (-got +want)\n%s", diff)
	}
}

// eventIDs returns the ids of the events s.Events finds for f (up to 100),
// in its order.
func eventIDs(t *testing.T, s *KeptnStore, f keptn.EventFilter) []string {
	t.Helper()
	f.Limit = 100
	bodies, _, err := s.Events(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bodies {
		var e struct{ ID string }
		_ = json.Unmarshal(b, &e)
		out = append(out, e.ID)
	}
	return out
}
