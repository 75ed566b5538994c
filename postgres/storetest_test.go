package postgres_test

import (
	"context"
	"testing"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/postgres"
	"github.com/batonhq/baton/postgres/pgtest"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/storetest"
)

// open opens the database at url as one replica named owner would.
func open(t testing.TB, url, owner string, opts postgres.Options) *postgres.DB {
	t.Helper()
	opts.Owner = owner
	db, err := postgres.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func stores(t testing.TB, url string) *storetest.Stores {
	db := open(t, url, "replica-1", postgres.Options{})
	sq := postgres.NewSQSStore(db)
	ks := postgres.NewKeptnStore(db)
	return &storetest.Stores{
		Keptn: ks, Outbox: postgres.NewOutboxStore(db), SQS: sq,
		AppConfig: postgres.NewAppConfigStore(db), AWSKeys: postgres.NewAWSKeyStore(db),
		SQSTx: func(tx appconfig.Tx) sqs.Tx {
			t, _ := postgres.AppConfigSQLTx(tx)
			return sq.SQSTx(t)
		},
		KeptnOfOutbox: func(tx outbox.Tx) keptn.Tx { return ks.KeptnTx(tx.(*postgres.Tx)) },
		Setting:       db.Setting,
		RevokeSession: db.RevokeSession, SessionRevoked: db.SessionRevoked,
		SetSetting: func(ctx context.Context, k, v string) error {
			return db.Write(ctx, func(tx *postgres.Tx) error { return tx.SetSetting(k, v) })
		},
		Close:     db.Close,
		ErrClosed: postgres.ErrClosed,
		Handle:    url,
	}
}

// The conformance suite on PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores { return stores(t, pgtest.URL(t)) },
		Reopen: func(t testing.TB, s *storetest.Stores) *storetest.Stores {
			s.Close()
			return stores(t, s.Handle.(string))
		},
	})
}

// The store benchmarks, comparable with package sqlite's (to be measured on
// a quiet machine; synchronous_commit as the server is configured).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, storetest.Engine{
		Open: func(t testing.TB) *storetest.Stores { return stores(t, pgtest.URL(t)) },
	})
}
