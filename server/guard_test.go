package server_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// Wrong tokens are rate-limited per client on every route, not only on
// POST /api/v1/auth, and a right token resets the client's bucket.
func TestWrongTokensRateLimitedEverywhere(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	bad := map[string]string{"x-token": "wrong"}
	var got []int
	for _, path := range []string{"/api/v1/metadata", "/metrics", "/api/controlPlane/v1/project", "/api/baton/v1/aws-credentials"} {
		st, _ := in.DoWith("GET", path, nil, bad)
		got = append(got, st)
	}
	if got[0] != 401 || got[1] != 401 || got[2] != 429 || got[3] != 429 {
		t.Errorf("wrong tokens on four routes answered %v; want 401 401 429 429", got)
	}
	if st, _ := in.DoWith("GET", "/api/v1/metadata", nil, map[string]string{"Authorization": "Bearer wrong"}); st != 429 {
		t.Errorf("wrong bearer token once limited: %d, want 429", st)
	}
	if st, _ := in.Do("GET", "/api/v1/metadata", nil); st != 200 {
		t.Fatalf("right token: %d", st)
	}
	if st, _ := in.DoWith("GET", "/api/v1/metadata", nil, bad); st != 401 {
		t.Errorf("wrong token after a right one reset the bucket: %d, want 401", st)
	}
}

// A client that sends the headers of an unauthenticated request and then
// trickles its body loses the connection after the short pre-authentication
// read timeout instead of holding it for minutes.
func TestSlowUnauthenticatedBodyTimesOut(t *testing.T) {
	in := batontest.Start(t, server.Config{PreAuthReadTimeout: 200 * time.Millisecond})
	for _, tc := range []struct{ name, head string }{
		{"keptn", "POST /api/v1/event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"},
		{"sqs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"},
		{"appconfig", "POST /applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", in.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.head+"{\"a\":"); err != nil {
				t.Fatal(err)
			}
			// The test's own bound; the server must close well before it.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				if err == nil {
					_, err = conn.Read(make([]byte, 1))
				}
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("connection still open after 5s with a stalled unauthenticated body")
			}
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reset") {
				t.Fatalf("unexpected error: %v", err)
			}
		})
	}
}

// An authenticated body is held to BodyReadTimeout, not to the short
// pre-authentication timeout: a client with the right token may take longer
// than that to send its body.
func TestSlowAuthenticatedBodyIsRead(t *testing.T) {
	const preAuth = 200 * time.Millisecond
	in := batontest.Start(t, server.Config{PreAuthReadTimeout: preAuth})
	body := `{"type":"sh.keptn.event.slow.triggered","source":"test","data":{"project":"p"}}`
	conn, err := net.Dial("tcp", in.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /api/v1/event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-token: " + in.Token +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:10]); err != nil {
		t.Fatal(err)
	}
	<-time.After(2 * preAuth) // a slow client, past the pre-authentication deadline
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no reply to a slow authenticated body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "keptnContext") {
		t.Errorf("got %d %s, want 200 with the event's context", resp.StatusCode, b)
	}
}
