// Package pgtest gives tests an empty PostgreSQL database of their own: a
// fresh schema in the database at BATON_TEST_DATABASE_URL, dropped when the
// test ends. Without that variable tests skip, and say so; in CI (CI=true)
// they fail instead, because .ci/run starts a PostgreSQL for them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test database's URL.
const EnvURL = "BATON_TEST_DATABASE_URL"

// BaseURL returns the test database URL, skipping (or, in CI, failing) the
// test when none is set.
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; .ci/run starts a PostgreSQL and sets it", EnvURL)
		}
		t.Skipf("no PostgreSQL: set %s (e.g. postgres://postgres@127.0.0.1:55432/postgres) to run this test", EnvURL)
	}
	return u
}

// URL creates an empty schema and returns a URL whose connections use it
// (search_path); the schema is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	execSQL(t, base, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { execSQL(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func execSQL(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
