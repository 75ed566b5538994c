package server_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// instanceWithSealedData returns a data directory whose database holds a
// sealed value (an AWS access key), after the server stopped.
func instanceWithSealedData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	in := batontest.Start(t, server.Config{DataDir: dir, Out: io.Discard})
	in.AWSKeys()
	in.Stop()
	return dir
}

func openErr(t *testing.T, dir string) error {
	t.Helper()
	srv, err := server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: dir, Token: "t", Out: io.Discard, Logger: quietLogger()})
	if err == nil {
		srv.Close()
	}
	return err
}

// A missing or changed secret key is never silently replaced while the
// database holds values sealed with the old one.
func TestSecretKeyMissingOrChangedRefused(t *testing.T) {
	batontest.SQLiteOnly(t)
	t.Run("missing", func(t *testing.T) {
		dir := instanceWithSealedData(t)
		os.Remove(filepath.Join(dir, "secret.key"))
		err := openErr(t, dir)
		if err == nil || !strings.Contains(err.Error(), "Restore secret.key from a backup") {
			t.Fatalf("start without the key: %v", err)
		}
		if _, serr := os.Stat(filepath.Join(dir, "secret.key")); serr == nil {
			t.Errorf("a new secret.key was written")
		}
	})
	t.Run("file replaced", func(t *testing.T) {
		dir := instanceWithSealedData(t)
		other := base64.StdEncoding.EncodeToString(make([]byte, 32))
		os.WriteFile(filepath.Join(dir, "secret.key"), []byte(other+"\n"), 0o600)
		if err := openErr(t, dir); err == nil || !strings.Contains(err.Error(), "not the one the database") {
			t.Fatalf("start with another key file: %v", err)
		}
	})
	t.Run("environment changed", func(t *testing.T) {
		dir := instanceWithSealedData(t)
		t.Setenv("BATON_SECRET_KEY", base64.StdEncoding.EncodeToString(make([]byte, 32)))
		if err := openErr(t, dir); err == nil || !strings.Contains(err.Error(), "BATON_SECRET_KEY") {
			t.Fatalf("start with another BATON_SECRET_KEY: %v", err)
		}
	})
	t.Run("same key starts", func(t *testing.T) {
		dir := instanceWithSealedData(t)
		if err := openErr(t, dir); err != nil {
			t.Fatalf("restart with the same key: %v", err)
		}
	})
}

// A data directory that held an instance (secret.key) whose database is
// missing or empty is not silently re-initialised.
func TestEmptiedDataDirRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(db string)
	}{
		{"zero-length database", func(db string) { os.Truncate(db, 0) }},
		{"database removed", func(db string) { os.Remove(db) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := instanceWithSealedData(t)
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(dir, "baton.db"+suffix))
			}
			tc.do(filepath.Join(dir, "baton.db"))
			err := openErr(t, dir)
			if !errors.Is(err, server.ErrDataDir) || !strings.Contains(err.Error(), "Restore baton.db from a backup") {
				t.Fatalf("start on an emptied data directory: %v", err)
			}
		})
	}
}
