package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// Migration 0013 files the events stored before it under their contexts:
// they are found by context, the first of each context is its root, and
// events stored after it join their contexts.
func TestEventsByContextMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	raw := migratedWithout(t, path, func(version string) bool { return version >= "0013" }) // the schema before 0013
	for i, e := range []struct{ id, kc string }{{"a1", "ka"}, {"b1", "kb"}, {"a2", "ka"}, {"b2", "kb"}, {"a3", "ka"}} {
		body, _ := json.Marshal(map[string]string{"id": e.id})
		if _, err := raw.ExecContext(ctx, `INSERT INTO events (id, type, source, time_ns, keptn_context, body) VALUES (?, 't', 's', ?, ?, ?)`,
			e.id, i+1, e.kc, body); err != nil {
			t.Fatal(err)
		}
	}
	db := migrateRest(t, raw, path)
	st := NewKeptnStore(db)
	if err := st.Update(ctx, func(tx keptn.Tx) error {
		return tx.InsertEvent(&keptn.Event{ID: "a4", Type: "t", Source: "s", Shkeptncontext: "ka", Time: keptn.FormatTime(time.Unix(0, 9))},
			[]byte(`{"id":"a4"}`))
	}); err != nil {
		t.Fatal(err)
	}
	ids := func(f keptn.EventFilter) []string {
		out := eventIDs(t, st, f)
		sort.Strings(out)
		return out
	}
	for _, c := range []struct {
		f    keptn.EventFilter
		want []string
	}{
		{keptn.EventFilter{KeptnContext: []string{"ka"}}, []string{"a1", "a2", "a3", "a4"}},
		{keptn.EventFilter{KeptnContext: []string{"kb"}}, []string{"b1", "b2"}},
		{keptn.EventFilter{Root: true}, []string{"a1", "b1"}},
	} {
		if diff := cmp.Diff(ids(c.f), c.want); diff != "" {
			t.Errorf("%+v: (-got +want)\n%s", c.f, diff)
		}
	}
}
