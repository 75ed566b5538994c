package server

import (
	"io"
	"net/http"
	"time"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/keptnapi"
)

// Read deadlines of request bodies. Until a request is authenticated its body
// must arrive within Config.PreAuthReadTimeout, so that slow unauthenticated
// bodies cannot hold connections; once authenticated it gets
// Config.BodyReadTimeout.
const (
	defaultPreAuthReadTimeout = 10 * time.Second
	defaultBodyReadTimeout    = 2 * time.Minute
)

// guard runs before routing, for every request: it sets the short
// unauthenticated read deadline, and for requests that carry an API token it
// checks the token once, so that wrong tokens are rate-limited per client on
// every route (as Keptn limits POST /api/v1/auth) and right ones get the full
// body read deadline. Routes still check the token themselves.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		// Only the body is held to the short deadline: once it is read, the
		// server's background read (which cancels the request's context
		// when its deadline passes) gets the normal one, so long answers
		// such as the Bridge's event streams are not cut off.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.PreAuthReadTimeout))
		r.Body = &eofHook{ReadCloser: r.Body, onEOF: func() { s.authenticated(w) }}
	}
	tok := auth.FromRequest(r)
	if tok == "" || r.URL.Path == "/api/v1/auth" { // that route applies the same limiter itself
		return true
	}
	if s.checker.Valid(tok) {
		s.limiter.Reset(r)
		s.authenticated(w)
		return true
	}
	if !s.limiter.Allow(r) {
		w.Header().Set("Retry-After", "1")
		keptnapi.WriteError(w, s.log, r, keptn.Errorf(keptn.CodeTooManyRequests, "too many requests with invalid credentials from this client; retry later"))
		return false
	}
	return true
}

// authenticated extends the body read deadline of an authenticated request.
func (s *Server) authenticated(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.BodyReadTimeout))
}

// eofHook calls onEOF once when the body has been read to its end.
type eofHook struct {
	io.ReadCloser
	onEOF func()
	done  bool
}

func (b *eofHook) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		b.onEOF()
	}
	return n, err
}
