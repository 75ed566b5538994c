package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/storetest"
)

func stores(t testing.TB, path string) *storetest.Stores {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sq, _ := sqlite.NewSQSStore(db)
	ks := sqlite.NewKeptnStore(db)
	return &storetest.Stores{
		Keptn: ks, Outbox: sqlite.NewOutboxStore(db), SQS: sq,
		AppConfig: sqlite.NewAppConfigStore(db), AWSKeys: sqlite.NewAWSKeyStore(db),
		SQSTx: func(tx appconfig.Tx) sqs.Tx {
			t, _ := sqlite.AppConfigSQLTx(tx)
			return sq.SQSTx(t)
		},
		KeptnOfOutbox: func(tx outbox.Tx) keptn.Tx { return ks.KeptnTx(tx.(*sqlite.Tx)) },
		Setting:       db.Setting,
		SetSetting: func(ctx context.Context, k, v string) error {
			return db.Write(ctx, func(tx *sqlite.Tx) error { return tx.SetSetting(k, v) })
		},
		Close:     db.Close,
		ErrClosed: sqlite.ErrClosed,
		Handle:    path,
	}
}

// The conformance suite on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores { return stores(t, filepath.Join(t.TempDir(), "baton.db")) },
		Reopen: func(t testing.TB, s *storetest.Stores) *storetest.Stores {
			s.Close()
			return stores(t, s.Handle.(string))
		},
	})
}

// The store benchmarks, comparable with package postgres's.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores { return stores(t, filepath.Join(t.TempDir(), "baton.db")) },
	})
}
