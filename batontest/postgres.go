package batontest

import (
	"os"
	"sync"
	"testing"

	"github.com/batonhq/baton/postgres/pgtest"
)

// EnvStore selects the store of test servers: "postgres" runs them on a
// fresh schema of the database at BATON_TEST_DATABASE_URL (one per data
// directory, so a restart on the same directory finds its state again);
// anything else, SQLite in the data directory.
const EnvStore = "BATON_TEST_STORE"

var (
	schemasMu sync.Mutex
	schemas   = map[string]string{} // data directory -> database URL
)

// databaseFor returns the database URL test servers on dataDir use, or ""
// for SQLite.
func databaseFor(t testing.TB, dataDir string) string {
	if os.Getenv(EnvStore) != "postgres" {
		return ""
	}
	schemasMu.Lock()
	defer schemasMu.Unlock()
	if u, ok := schemas[dataDir]; ok {
		return u
	}
	u := pgtest.URL(t)
	schemas[dataDir] = u
	return u
}

// SQLiteOnly skips a test of the SQLite data directory itself (its file,
// its disk, its integrity checks) when test servers run on PostgreSQL.
func SQLiteOnly(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvStore) == "postgres" {
		t.Skipf("%s=postgres: this test is about the SQLite data directory", EnvStore)
	}
}
