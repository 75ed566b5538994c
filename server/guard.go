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
// every route (as Keptn limits POST /api/v1/auth) and right ones keep the full
// body read deadline. Routes still check the token themselves.
//
// A request with a right token sets no deadline up front: net/http has set
// the connection's to the request's start plus ReadTimeout, which is
// BodyReadTimeout. Its body's end moves the deadline on (as an
// unauthenticated body's end does) only when reading it took more than
// slowBody, so the background read that follows keeps the normal time.
// Each deadline moves a timer of the network poller, and the ingest path
// runs this for every event.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	hasBody := r.ContentLength != 0 || len(r.TransferEncoding) > 0
	tok := auth.FromRequest(r)
	if tok != "" && r.URL.Path != "/api/v1/auth" && s.checker.Valid(tok) { // that route applies the same limiter itself
		s.limiter.Reset(r)
		if hasBody {
			r.Body = &eofHook{ReadCloser: r.Body, s: s, w: w, since: time.Now()}
		}
		return true
	}
	if hasBody {
		// Only the body is held to the short deadline: once it is read, the
		// server's background read (which cancels the request's context
		// when its deadline passes) gets the normal one, so long answers
		// such as the Bridge's event streams are not cut off.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.PreAuthReadTimeout))
		r.Body = &eofHook{ReadCloser: r.Body, s: s, w: w}
	}
	if tok == "" || r.URL.Path == "/api/v1/auth" {
		return true
	}
	if !s.limiter.Allow(r) {
		w.Header().Set("Retry-After", "1")
		keptnapi.WriteError(w, s.log, r, keptn.Errorf(keptn.CodeTooManyRequests, "too many requests with invalid credentials from this client; retry later"))
		return false
	}
	return true
}

// slowBody is how long an authenticated body may take to read before its
// end moves the read deadline on.
const slowBody = time.Second

// authenticated extends the body read deadline of an authenticated request.
func (s *Server) authenticated(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.BodyReadTimeout))
}

// eofHook extends the read deadline (s.authenticated) once, when the body
// has been read to its end: always if since is zero, else if more than
// slowBody has passed since then.
type eofHook struct {
	io.ReadCloser
	s     *Server
	w     http.ResponseWriter
	since time.Time
	done  bool
}

func (b *eofHook) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		if b.since.IsZero() || time.Since(b.since) > slowBody {
			b.s.authenticated(b.w)
		}
	}
	return n, err
}
