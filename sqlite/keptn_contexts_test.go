package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// An event refused for its duplicate id changes nothing, though the insert
// runs without a statement journal (OR FAIL, migration 0014): the
// transaction that caught the conflict goes on and commits, and its context
// has no entry of the refused event.
func TestDuplicateEventLeavesNoContextEntry(t *testing.T) {
	db := openTest(t)
	s := NewKeptnStore(db)
	ctx := context.Background()
	ev := func(id, kc string) *keptn.Event {
		return &keptn.Event{ID: id, Type: "t", Source: "s", Shkeptncontext: kc, Time: "2026-01-01T00:00:00Z"}
	}
	if err := s.Update(ctx, func(tx keptn.Tx) error { return tx.InsertEvent(ev("e1", "kx"), []byte(`{"id":"e1"}`)) }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx keptn.Tx) error {
		if err := tx.InsertEvent(ev("e2", "ky"), []byte(`{"id":"e2"}`)); err != nil {
			return err
		}
		for _, kc := range []string{"kz", "kx", "ky"} { // a new context, the id's own, another one's
			if err := tx.InsertEvent(ev("e1", kc), []byte(`{"id":"e1"}`)); keptn.ErrorCode(err) != keptn.CodeConflict {
				return fmt.Errorf("duplicate e1 in %s: %v, want a conflict", kc, err)
			}
		}
		return tx.InsertEvent(ev("e3", "ky"), []byte(`{"id":"e3"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(f keptn.EventFilter) []string { return eventIDs(t, s, f) }
	for kc, want := range map[string][]string{"kx": {"e1"}, "ky": {"e3", "e2"}, "kz": nil} {
		if diff := cmp.Diff(ids(keptn.EventFilter{KeptnContext: []string{kc}}), want); diff != "" {
			t.Errorf("context %s (-got +want)\n%s", kc, diff)
		}
	}
	var events, entries, contexts int
	if err := db.Reader().QueryRow(`SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM events_by_context),
		(SELECT count(*) FROM event_contexts)`).Scan(&events, &entries, &contexts); err != nil {
		t.Fatal(err)
	}
	if events != 3 || entries != 3 || contexts != 2 {
		t.Errorf("%d events, %d context entries, %d contexts; want 3, 3, 2", events, entries, contexts)
	}
}
