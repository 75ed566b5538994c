// Package batontest starts a real baton server for end-to-end tests: the full
// server on 127.0.0.1 with a temporary data directory, torn down when the test
// ends.
package batontest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/server"
)

// Token is the admin token test servers use.
const Token = "test-admin-token"

// Instance is a running test server.
type Instance struct {
	*server.Server
	URL     string
	Token   string
	DataDir string
	t       testing.TB
	cancel  context.CancelFunc
	done    chan error
	stop    sync.Once
}

// Start runs a server with cfg (Addr, DataDir and Token default to a free
// loopback port, t.TempDir() and Token) and stops it at the end of the test.
func Start(t testing.TB, cfg server.Config) *Instance {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Token == "" {
		cfg.Token = Token
	}
	if cfg.Database == "" {
		cfg.Database = databaseFor(t, cfg.DataDir)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := server.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start baton: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Instance{Server: srv, URL: srv.URL(), Token: cfg.Token, DataDir: cfg.DataDir, t: t, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- srv.Run(ctx) }()
	t.Cleanup(in.Stop)
	return in
}

// Stop shuts the server down and waits for it. It is safe to call more than once.
func (in *Instance) Stop() {
	in.stop.Do(func() {
		in.cancel()
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			in.t.Errorf("baton did not stop within 30s")
		}
	})
}

// Do sends a request with the admin token and returns status and body.
// body may be nil, a []byte, a string or a value encoded as JSON.
func (in *Instance) Do(method, path string, body any) (int, []byte) {
	in.t.Helper()
	return in.DoWith(method, path, body, map[string]string{"x-token": in.Token})
}

// DoWith sends a request with the given headers (no token unless given).
func (in *Instance) DoWith(method, path string, body any, headers map[string]string) (int, []byte) {
	in.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			in.t.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, in.URL+path, r)
	if err != nil {
		in.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, out
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// AWSKeys creates an AWS access key through baton's admin API and returns
// its id and secret, for SigV4-signing SDK and CLI clients in tests.
func (in *Instance) AWSKeys() (id, secret string) {
	in.t.Helper()
	return awsKeys(in.t, in.URL, in.Token)
}

func awsKeys(t testing.TB, url, token string) (string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/baton/v1/aws-credentials", bytes.NewReader([]byte(`{"description":"test"}`)))
	req.Header.Set("x-token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create AWS key: %v", err)
	}
	defer resp.Body.Close()
	var k struct{ AccessKeyID, SecretAccessKey string }
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || resp.StatusCode != http.StatusCreated || k.AccessKeyID == "" {
		t.Fatalf("create AWS key: status %d, %v", resp.StatusCode, err)
	}
	return k.AccessKeyID, k.SecretAccessKey
}
