package webhook

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/batonhq/baton/netguard"
)

// TestCallOnTheTransport checks what call sends and reads now that it uses
// the transport without an http.Client: headers and body as configured,
// redirects answered rather than followed, responses of known and unknown
// length read whole, and one kept-alive connection for calls in a row.
func TestCallOnTheTransport(t *testing.T) {
	var conns atomic.Int32
	var got atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		got.Store(r.Method + " " + r.URL.Path + " " + r.Header.Get("Idempotency-Key") + " " + r.Header.Get("User-Agent") + " " +
			r.Header.Get("X-Team") + " " + user + ":" + pass + " " + string(b))
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/chunked":
			w.Write([]byte(`{"part":`))
			w.(http.Flusher).Flush() // no Content-Length: chunked
			w.Write([]byte(`1}`))
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	guard, err := netguard.New([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s := New(nil, nil, nil, Options{Guard: guard})
	ctx := context.Background()
	for i := range 3 {
		req := Request{Method: "PUT", URL: srv.URL + "/call", Payload: `{"n":1}`, Headers: []Header{{Key: "X-Team", Value: "blue"}}}
		res := s.call(ctx, req, "key-0")
		if res.err != nil || res.status != 200 || string(res.body) != `{"ok":true}` {
			t.Fatalf("call %d: %d %q %v", i, res.status, res.body, res.err)
		}
		if g, want := got.Load(), `PUT /call key-0 baton-webhook blue : {"n":1}`; g != want {
			t.Fatalf("endpoint saw %q, want %q", g, want)
		}
	}
	res := s.call(ctx, Request{Method: "GET", URL: srv.URL + "/chunked", Headers: []Header{{Key: "User-Agent", Value: "mine"}}}, "key-1")
	if res.err != nil || string(res.body) != `{"part":1}` || !strings.Contains(got.Load().(string), " mine ") {
		t.Errorf("chunked: %d %q %v, endpoint saw %q", res.status, res.body, res.err, got.Load())
	}
	// Credentials in the URL are sent as an http.Client sends them; those
	// of the request (curl -u) win.
	withUser := strings.Replace(srv.URL, "http://", "http://ann:secret@", 1) + "/call"
	for _, tc := range []struct{ user, want string }{{"", " ann:secret "}, {"bob:pw", " bob:pw "}} {
		if res := s.call(ctx, Request{Method: "GET", URL: withUser, User: tc.user}, "key-3"); res.err != nil || !strings.Contains(got.Load().(string), tc.want) {
			t.Errorf("user %q: %v, endpoint saw %q, want %q", tc.user, res.err, got.Load(), tc.want)
		}
	}
	res = s.call(ctx, Request{Method: "POST", URL: srv.URL + "/redirect"}, "key-2")
	if res.status != http.StatusFound || res.err == nil || !res.permanent || !strings.Contains(got.Load().(string), "/redirect") {
		t.Errorf("redirect: status %d, err %v, permanent %v, endpoint saw %q; want 302 answered, not followed", res.status, res.err, res.permanent, got.Load())
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 7 calls in a row, want 1 kept alive", n)
	}
	for _, tc := range []struct{ req Request }{
		{Request{Method: "POST", URL: "ftp://example.com/x"}},
		{Request{Method: "BAD METHOD", URL: "http://exa mple.com/"}},
		{Request{Method: "BAD METHOD", URL: "/relative"}},
	} {
		if res := s.call(ctx, tc.req, "k"); res.err == nil || !res.permanent || !strings.Contains(res.err.Error(), "invalid URL") {
			t.Errorf("%+v: %v (permanent %v), want an invalid URL", tc.req, res.err, res.permanent)
		}
	}
	if res := s.call(ctx, Request{Method: "BAD METHOD", URL: srv.URL}, "k"); res.err == nil || !res.permanent || !strings.Contains(res.err.Error(), "method") {
		t.Errorf("bad method: %v (permanent %v)", res.err, res.permanent)
	}
}
