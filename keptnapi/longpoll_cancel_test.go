package keptnapi_test

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// A client that hangs up during a long-poll is no server error: the request
// is counted as 499 (client closed request), not 500, and nothing is logged
// as an error.
func TestLongPollClientGoneIsNotAnError(t *testing.T) {
	var logs batontest.SyncBuffer
	in := batontest.Start(t, server.Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	// A whole request, then the hang-up: the server runs it and its
	// long-poll sees the connection end.
	fmt.Fprintf(conn, "GET /api/controlPlane/v1/event/triggered/sh.keptn.event.x.triggered?wait=20s HTTP/1.1\r\nHost: baton\r\nx-token: %s\r\n\r\n", in.Token)
	conn.Close()
	const route = `route="GET /api/controlPlane/v1/event/triggered/{eventType}"`
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := in.Do("GET", "/metrics", nil)
		m := string(body)
		if strings.Contains(m, `baton_http_requests_total{code="499",method="GET",`+route+`} 1`) {
			if strings.Contains(m, `code="500"`) {
				t.Errorf("a 500 was counted:\n%s", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 499 counted for the long-poll in 10s; metrics:\n%s", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l := logs.String(); strings.Contains(l, "request failed") {
		t.Errorf("logged as an error:\n%s", l)
	}
}
