package server_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/bridge"
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
	dbURL := pgtest.URL(t)
	key := func() string {
		k := make([]byte, 32)
		rand.Read(k)
		return base64.StdEncoding.EncodeToString(k)
	}
	shared := key()
	t.Setenv("BATON_SECRET_KEY", shared)
	dir := t.TempDir()
	if _, err := openOn(t, dir, dbURL); err != nil {
		t.Fatal(err)
	}
	if _, err := openOn(t, dir, dbURL); err == nil || !strings.Contains(err.Error(), "in use by another baton") {
		t.Errorf("second replica on the same data directory: %v", err)
	}
	t.Setenv("BATON_SECRET_KEY", key())
	if _, err := openOn(t, t.TempDir(), dbURL); err == nil || !strings.Contains(err.Error(), "BATON_SECRET_KEY") {
		t.Errorf("replica with another secret key: %v", err)
	}
	t.Setenv("BATON_SECRET_KEY", shared)
	if _, err := openOn(t, t.TempDir(), dbURL); err != nil {
		t.Errorf("replica with the shared key: %v", err)
	}
	if _, err := openOn(t, t.TempDir(), "mysql://x"); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a database that is not PostgreSQL: %v", err)
	}
}

// A Bridge sign-out on one replica ends the session on every replica.
func TestReplicaBridgeSignOut(t *testing.T) {
	dbURL := pgtest.URL(t)
	k := make([]byte, 32)
	rand.Read(k)
	t.Setenv("BATON_SECRET_KEY", base64.StdEncoding.EncodeToString(k))
	a := batontest.Start(t, server.Config{Database: dbURL})
	b := batontest.Start(t, server.Config{Database: dbURL})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, base, path string, form url.Values, session string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Origin", base)
		}
		if session != "" {
			req.AddCookie(&http.Cookie{Name: bridge.CookieName, Value: session})
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	var session string
	for _, c := range send(http.MethodPost, a.URL, "/bridge/login", url.Values{"token": {a.Token}}, "").Cookies() {
		if c.Name == bridge.CookieName {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie from replica a")
	}
	if st := send(http.MethodGet, b.URL, "/bridge/", nil, session).StatusCode; st != http.StatusOK {
		t.Fatalf("replica b with a's session: %d", st)
	}
	if st := send(http.MethodPost, a.URL, "/bridge/logout", nil, session).StatusCode; st != http.StatusSeeOther {
		t.Fatalf("sign out on a: %d", st)
	}
	for name, in := range map[string]*batontest.Instance{"a": a, "b": b} {
		if st := send(http.MethodGet, in.URL, "/bridge/", nil, session).StatusCode; st != http.StatusSeeOther {
			t.Errorf("replica %s after the sign-out: status %d, want the redirect to sign in", name, st)
		}
	}
}
