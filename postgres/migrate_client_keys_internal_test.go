package postgres

import (
	"context"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/postgres/pgtest"
)

// Migration 0015 moves the client event ids stored before it to their keys,
// computed in SQL as the store computes them in Go: a retry of an event
// posted before the upgrade is still recognised, and the same id from
// another source is still another event.
func TestClientEventKeysMigration(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names {
		if version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql"); version < "0015" {
			if err := applyMigration(ctx, conn, name, version); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows := []struct{ source, id, kc string }{{"cli", "e1", "k1"}, {"cli", "e2", "k2"}, {"other", "e1", "k3"}, {"ünï", "ïd", "k4"}}
	for _, r := range rows {
		if _, err := conn.Exec(ctx, `INSERT INTO client_event_ids (source, id, keptn_context) VALUES ($1, $2, $3)`, r.source, r.id, r.kc); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close(ctx)

	db, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = NewKeptnStore(db).Update(ctx, func(tx keptn.Tx) error {
		for _, r := range rows {
			if kc, posted, err := tx.ClaimClientEvent(r.source, r.id, "new"); kc != r.kc || !posted || err != nil {
				t.Errorf("%s/%s = %q %v %v, want %s", r.source, r.id, kc, posted, err, r.kc)
			}
		}
		if _, posted, err := tx.ClaimClientEvent("other", "e2", "k5"); posted || err != nil {
			t.Errorf("other/e2: posted=%v err=%v, want a new event", posted, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
