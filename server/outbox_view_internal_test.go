package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/sqlite"
)

// The effects of one batch of outbox outcomes share one Keptn view of its
// transaction; another transaction gets a view of its own.
func TestSQLiteOutboxViewPerTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	view := sqliteOutboxView(sqlite.NewKeptnStore(db))
	var views []keptn.Tx
	for range 2 {
		if err := db.Write(ctx, func(tx *sqlite.Tx) error {
			a, okA := view(tx)
			b, okB := view(tx)
			if !okA || !okB || a != b {
				t.Errorf("two views of one transaction: %v %v, %p %p", okA, okB, a, b)
			}
			if under, ok := sqlite.KeptnSQLTx(a); !ok || under != tx {
				t.Errorf("the view is not of the transaction it was asked about")
			}
			views = append(views, a)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if views[0] == views[1] {
		t.Error("two transactions share one view")
	}
}
