package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/keptn"
)

// Migration 0015 moves the client event ids stored before it to their keys:
// a retry of an event posted before the upgrade is still recognised, and
// the same id from another source is still another event.
func TestClientEventKeysMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	raw := migratedWithout(t, path, func(version string) bool { return version >= "0015" }) // the schema before 0015
	for _, r := range []struct{ source, id, kc string }{{"cli", "e1", "k1"}, {"cli", "e2", "k2"}, {"other", "e1", "k3"}, {"ünï", "ïd", "k4"}} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO client_event_ids (source, id, keptn_context) VALUES (?, ?, ?)`, r.source, r.id, r.kc); err != nil {
			t.Fatal(err)
		}
	}
	db := migrateRest(t, raw, path)
	st := NewKeptnStore(db)
	err := st.Update(ctx, func(tx keptn.Tx) error {
		for _, c := range []struct{ source, id, want string }{{"cli", "e1", "k1"}, {"cli", "e2", "k2"}, {"other", "e1", "k3"}, {"ünï", "ïd", "k4"}} {
			if kc, posted, err := tx.ClaimClientEvent(c.source, c.id, "new"); kc != c.want || !posted || err != nil {
				t.Errorf("%s/%s = %q %v %v, want %s", c.source, c.id, kc, posted, err, c.want)
			}
		}
		if _, posted, err := tx.ClaimClientEvent("other", "e2", "k4"); posted || err != nil {
			t.Errorf("other/e2: posted=%v err=%v, want a new event", posted, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Reader().QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'client_event_ids'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the old table is still there (%d, %v)", n, err)
	}
}
