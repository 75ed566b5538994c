package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

var tokenLine = regexp.MustCompile(`(?m)^\s{4}(\S+)$`)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func authStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/auth", nil)
	req.Header.Set("x-token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestGeneratedTokenShownOnceAndStoredHashed(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	srv, err := server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: dir, Out: &out, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	m := tokenLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no token announced: %q", out.String())
	}
	token := m[1]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx) }()
	if st := authStatus(t, srv.URL(), token); st != 200 {
		t.Fatalf("generated token: %d", st)
	}
	cancel()
	<-done
	db, _ := os.ReadFile(filepath.Join(dir, "baton.db"))
	wal, _ := os.ReadFile(filepath.Join(dir, "baton.db-wal"))
	if bytes.Contains(db, []byte(token)) || bytes.Contains(wal, []byte(token)) {
		t.Fatal("the token is stored in clear")
	}

	// A second start keeps the stored token and prints nothing.
	out.Reset()
	srv, err = server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: dir, Out: &out, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("second start printed %q", out.String())
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if st := authStatus(t, srv.URL(), token); st != 200 {
		t.Fatalf("stored token after restart: %d", st)
	}
}

func TestConfigValidation(t *testing.T) {
	bad := []server.Config{
		{Addr: "no-port"},
		{Sync: "SOMETIMES"},
		{MaxBody: 10},
		{TimeScale: -1},
		{LogLevel: "loud"},
		{LogFormat: "xml"},
	}
	for _, c := range bad {
		c.DataDir = t.TempDir()
		if _, err := server.Open(context.Background(), c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	// A config file with an unknown key is an error; a good one loads.
	f := filepath.Join(t.TempDir(), "baton.yaml")
	os.WriteFile(f, []byte("addr: 127.0.0.1:9999\nnope: 1\n"), 0o644)
	var c server.Config
	if err := c.LoadFile(f); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown key: %v", err)
	}
	os.WriteFile(f, []byte("addr: 127.0.0.1:9999\nsync: NORMAL\nmaxBody: 2048\n"), 0o644)
	c = server.DefaultConfig()
	if err := c.LoadFile(f); err != nil || c.Addr != "127.0.0.1:9999" || c.Sync != "NORMAL" || c.MaxBody != 2048 || c.LogLevel != "info" {
		t.Errorf("loaded %+v, %v", c, err)
	}
}

func TestMetrics(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	for range 3 {
		in.Do("POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"s","data":{}}`)
	}
	in.Do("POST", "/api/v1/event", `{"type":"sh.keptn.event.x.triggered","source":"s"}`) // 400: no data
	st, body := in.Do("GET", "/metrics", nil)
	if st != 200 {
		t.Fatalf("metrics: %d", st)
	}
	for _, want := range []string{
		`baton_http_requests_total{code="200",method="POST",route="POST /api/v1/event"} 3`,
		`baton_http_requests_total{code="400",method="POST",route="POST /api/v1/event"} 1`,
		`baton_http_request_duration_seconds_count{method="POST",route="POST /api/v1/event"} 4`,
		`baton_store_commit_duration_seconds_count`,
		`baton_outbox_items{state="pending"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
