package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The migration that rebuilds open_events as a WITHOUT ROWID table keeps
// its rows, and the store works on them. (service_stage_state, rebuilt the
// same way, was later dropped: 0012.)
func TestWithoutRowidMigrationsKeepRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	raw := migratedWithout(t, path, func(version string) bool { // the schema before the rebuilds
		return strings.HasSuffix(version, "_without_rowid") || version == "0012_service_state_from_events"
	})
	for _, q := range []string{
		`INSERT INTO open_events VALUES ('e1', 'sh.keptn.event.deploy.triggered', 'p', 'dev', 's', 'x1', 5)`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db := migrateRest(t, raw, path)
	for table, want := range map[string][]any{
		"open_events": {"e1", "sh.keptn.event.deploy.triggered", "p", "dev", "s", "x1", int64(5)},
	} {
		var got [][]any
		if err := db.Rows(ctx, table, func(_ []string, row []any) error { got = append(got, row); return nil }); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, [][]any{want}); diff != "" {
			t.Errorf("%s: (-got +want)\n%s", table, diff)
		}
		var ddl string
		if err := db.read.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(ddl, "WITHOUT ROWID") {
			t.Errorf("%s is not a WITHOUT ROWID table: %s", table, ddl)
		}
	}
	var idx int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'open_events_type'`).Scan(&idx); err != nil || idx != 1 {
		t.Errorf("index open_events_type: %d (%v)", idx, err)
	}
}

// migratedWithout creates a database at path with every migration applied
// except those skip reports true for (Open applies them later, in order),
// and returns it open without the store.
func migratedWithout(t *testing.T, path string, skip func(version string) bool) *sql.DB {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if skip(version) {
			continue
		}
		if err := applyMigration(ctx, raw, name, version); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// migrateRest closes raw, the database at path that migratedWithout made,
// and opens the store on it, which applies the migrations left out; the
// store is closed when the test ends.
func migrateRest(t *testing.T, raw *sql.DB, path string) *DB {
	t.Helper()
	raw.Close()
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
