package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
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
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names { // the schema before 0013
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if version >= "0013" {
			continue
		}
		if err := applyMigration(ctx, raw, name, version); err != nil {
			t.Fatal(err)
		}
	}
	for i, e := range []struct{ id, kc string }{{"a1", "ka"}, {"b1", "kb"}, {"a2", "ka"}, {"b2", "kb"}, {"a3", "ka"}} {
		body, _ := json.Marshal(map[string]string{"id": e.id})
		if _, err := raw.ExecContext(ctx, `INSERT INTO events (id, type, source, time_ns, keptn_context, body) VALUES (?, 't', 's', ?, ?, ?)`,
			e.id, i+1, e.kc, body); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := NewKeptnStore(db)
	if err := st.Update(ctx, func(tx keptn.Tx) error {
		return tx.InsertEvent(&keptn.Event{ID: "a4", Type: "t", Source: "s", Shkeptncontext: "ka", Time: keptn.FormatTime(time.Unix(0, 9))},
			[]byte(`{"id":"a4"}`))
	}); err != nil {
		t.Fatal(err)
	}
	ids := func(f keptn.EventFilter) []string {
		t.Helper()
		f.Limit = 100
		bodies, _, err := st.Events(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, b := range bodies {
			var e struct{ ID string }
			_ = json.Unmarshal(b, &e)
			out = append(out, e.ID)
		}
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
