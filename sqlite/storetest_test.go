package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/storetest"
)

func stores(t testing.TB, path string) *storetest.Stores { return openStores(t, path, false) }

// openStores opens the stores of the file at path; early: the outbox claims
// early, as the server runs it, and closing flushes its claims first, as
// the server does.
func openStores(t testing.TB, path string, early bool) *storetest.Stores {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sq, _ := sqlite.NewSQSStore(db)
	ks := sqlite.NewKeptnStore(db)
	ob := sqlite.NewOutboxStore(db)
	ob.EarlyClaim = early
	closeDB := db.Close
	if early {
		closeDB = func() error {
			if err := ob.Flush(context.Background()); err != nil && !errors.Is(err, sqlite.ErrClosed) {
				return err
			}
			return db.Close()
		}
	}
	return &storetest.Stores{
		Keptn: ks, Outbox: ob, SQS: sq,
		AppConfig: sqlite.NewAppConfigStore(db), AWSKeys: sqlite.NewAWSKeyStore(db),
		SQSTx: func(tx appconfig.Tx) sqs.Tx {
			t, _ := sqlite.AppConfigSQLTx(tx)
			return sq.SQSTx(t)
		},
		KeptnOfOutbox: func(tx outbox.Tx) keptn.Tx { return ks.KeptnTx(tx.(*sqlite.Tx)) },
		Setting:       db.Setting,
		RevokeSession: db.RevokeSession, SessionRevoked: db.SessionRevoked,
		SetSetting: func(ctx context.Context, k, v string) error {
			return db.Write(ctx, func(tx *sqlite.Tx) error { return tx.SetSetting(k, v) })
		},
		Close:     closeDB,
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

// The conformance suite on SQLite with the outbox claiming early, as the
// server runs it: claims are kept in memory until written (see
// OutboxStore.Claim), and must look to every reader as if written.
func TestConformanceEarlyClaim(t *testing.T) {
	storetest.Run(t, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores {
			return openStores(t, filepath.Join(t.TempDir(), "baton.db"), true)
		},
		Reopen: func(t testing.TB, s *storetest.Stores) *storetest.Stores {
			s.Close()
			return openStores(t, s.Handle.(string), true)
		},
	})
}

// The store benchmarks, comparable with package postgres's.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores { return stores(t, filepath.Join(t.TempDir(), "baton.db")) },
	})
}
