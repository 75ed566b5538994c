package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/batonhq/baton/netguard"
)

// BenchmarkCall measures one webhook request on a kept-alive loopback
// connection, as Handle sends it: the client's share of a call (and the
// endpoint's, which is a minimal handler here).
func BenchmarkCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	guard, err := netguard.New([]string{"127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	s := New(nil, nil, nil, Options{Guard: guard})
	req := Request{Method: "POST", URL: srv.URL + "/call", Payload: `{"kc":"6c3b9c3e-6b1e-4c1e-9d1e-1c3b9c3e6b1f"}`,
		Headers: []Header{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if res := s.call(context.Background(), req, "6c3b9c3e-6b1e-4c1e-9d1e-1c3b9c3e6b1e-0-0"); res.err != nil {
			b.Fatal(res.err)
		}
	}
}
