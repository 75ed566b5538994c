package server_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/batonhq/baton/postgres/pgtest"
	"github.com/batonhq/baton/server"
)

func openOn(t *testing.T, dir, database string) (*server.Server, error) {
	t.Helper()
	srv, err := server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: dir, Database: database,
		Token: "t", Logger: quietLogger()})
	if err == nil {
		t.Cleanup(func() { srv.Close() })
	}
	return srv, err
}

// Replicas of one database must share the secret key and each have a data
// directory of its own; otherwise the replica refuses to start and says why.
func TestReplicaStartChecks(t *testing.T) {
	url := pgtest.URL(t)
	key := func() string {
		k := make([]byte, 32)
		rand.Read(k)
		return base64.StdEncoding.EncodeToString(k)
	}
	shared := key()
	t.Setenv("BATON_SECRET_KEY", shared)
	dir := t.TempDir()
	if _, err := openOn(t, dir, url); err != nil {
		t.Fatal(err)
	}
	if _, err := openOn(t, dir, url); err == nil || !strings.Contains(err.Error(), "in use by another baton") {
		t.Errorf("second replica on the same data directory: %v", err)
	}
	t.Setenv("BATON_SECRET_KEY", key())
	if _, err := openOn(t, t.TempDir(), url); err == nil || !strings.Contains(err.Error(), "BATON_SECRET_KEY") {
		t.Errorf("replica with another secret key: %v", err)
	}
	t.Setenv("BATON_SECRET_KEY", shared)
	if _, err := openOn(t, t.TempDir(), url); err != nil {
		t.Errorf("replica with the shared key: %v", err)
	}
	if _, err := openOn(t, t.TempDir(), "mysql://x"); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a database that is not PostgreSQL: %v", err)
	}
}
