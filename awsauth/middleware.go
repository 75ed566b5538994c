package awsauth

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
)

// DefaultUnverifiedBytes is how many bytes of request bodies whose signature
// is not yet verified a Verifier holds at once unless told otherwise.
const DefaultUnverifiedBytes = 32 << 20

// Face describes one AWS face for Middleware.
type Face struct {
	// Services returns the signing names (the credential scope's service) a
	// request may be signed for: "sqs", "appconfig", "appconfigdata", "sts".
	Services func(r *http.Request) []string
	// MaxBody returns the body cap of r, in bytes.
	MaxBody func(r *http.Request) int64
	// OnError writes a failure in the face's own error format: an *Error, an
	// *http.MaxBytesError, or another error (internal).
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// HeadersPassed, if set, runs once the request passed every check that
	// needs no body (the server lengthens the body read deadline).
	HeadersPassed func(w http.ResponseWriter)
}

// Identity is the verified caller of a request, put in its context by
// Middleware.
type Identity struct {
	AccessKey string
	// Service and Region are those of the credential scope.
	Service, Region string
}

type identityKey struct{}

// FromContext returns the identity Middleware verified for the request.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// RequireService checks that the request in ctx was signed for service, for
// handlers that share an endpoint with other services (STS on the SQS one).
// In development mode (no identity checked) it accepts everything.
func RequireService(ctx context.Context, service string) error {
	id, ok := FromContext(ctx)
	if !ok || id.Service == "" || id.Service == service {
		return nil
	}
	return &Error{CodeSignatureDoesNotMatch, "Credential should be scoped to correct service: '" + service + "'. "}
}

// Middleware authenticates every request before next, rejecting what can be
// rejected before the body is read: a missing or malformed Authorization
// header, a credential scope for another service, an expired date, an
// unknown access key, a body over the face's cap. With a signed
// x-amz-content-sha256 the signature is checked before the body too, and the
// body against the hash as it is read. Otherwise the body is read under a
// budget of bytes shared by all requests not yet verified, so that
// concurrent unauthenticated bodies hold bounded memory. next sees the body
// and the verified Identity in the request context.
func (v *Verifier) Middleware(f Face) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, id, err := v.authenticate(w, r, f)
			if err != nil {
				f.OnError(w, r, err)
				return
			}
			r.Body = &Body{Reader: bytes.NewReader(body), b: body}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
		})
	}
}

// Body is the request body Middleware hands to the next handler: the bytes
// it read and verified.
type Body struct {
	*bytes.Reader
	b []byte
}

// Bytes returns the whole body, so a handler need not copy it again. The
// caller must not modify it.
func (b *Body) Bytes() []byte { return b.b }

// Close implements io.Closer.
func (b *Body) Close() error { return nil }

func (v *Verifier) authenticate(w http.ResponseWriter, r *http.Request, f Face) ([]byte, Identity, error) {
	limit := f.MaxBody(r)
	if v.AllowAny {
		if f.HeadersPassed != nil {
			f.HeadersPassed(w)
		}
		body, err := readBody(w, r, limit)
		return body, Identity{AccessKey: anonymous(r)}, err
	}
	p, err := v.begin(r, f.Services(r))
	if err != nil {
		return nil, Identity{}, err
	}
	if r.ContentLength > limit {
		return nil, Identity{}, &http.MaxBytesError{Limit: limit}
	}
	if f.HeadersPassed != nil {
		f.HeadersPassed(w)
	}
	id := Identity{AccessKey: p.cred.accessKey, Service: p.cred.service, Region: p.cred.region}
	if hash := p.signedPayloadHash(); hash != "" {
		if err := p.verify([]byte(hash)); err != nil {
			return nil, Identity{}, err
		}
		body, err := readBody(w, r, limit)
		if err == nil && hexSHA256(body) != hash {
			err = &Error{CodeSignatureDoesNotMatch, "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
		return body, id, err
	}
	n := limit
	if r.ContentLength >= 0 {
		n = r.ContentLength
	}
	n = v.budget().acquire(r.Context(), n)
	if n < 0 {
		return nil, Identity{}, r.Context().Err()
	}
	defer v.budget().release(n)
	body, err := readBody(w, r, limit)
	if err == nil {
		err = p.verifyBody(body)
	}
	return body, id, err
}

// For returns an authenticator for handlers behind Middleware that checks
// the request was signed for one of services; requests that did not pass
// Middleware are verified in full.
func (v *Verifier) For(services ...string) *Scoped {
	return &Scoped{v: v, services: services}
}

// Scoped verifies requests for a set of services (see For).
type Scoped struct {
	v        *Verifier
	services []string
}

// Verify returns the caller's access key id: the one Middleware verified,
// else the result of verifying r and body now.
func (s *Scoped) Verify(r *http.Request, body []byte) (string, error) {
	if id, ok := FromContext(r.Context()); ok {
		if id.Service != "" && !slices.Contains(s.services, id.Service) {
			return "", &Error{CodeSignatureDoesNotMatch, "Credential should be scoped to correct service: '" + s.services[0] + "'. "}
		}
		return id.AccessKey, nil
	}
	if s.v.AllowAny {
		return anonymous(r), nil
	}
	p, err := s.v.begin(r, s.services)
	if err != nil {
		return "", err
	}
	if err := p.verifyBody(body); err != nil {
		return "", err
	}
	return p.cred.accessKey, nil
}

// readBody reads r's body, at most limit bytes, into a buffer of the
// announced length when there is one (io.ReadAll would double its buffer
// along the way).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength < 0 {
		return io.ReadAll(rd)
	}
	buf := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// budget bounds the bytes of unverified bodies held at once.
type budget struct {
	mu      sync.Mutex
	total   int64
	free    int64
	waiting int           // acquires waiting for bytes
	changed chan struct{} // closed when bytes are released to waiters
}

func newBudget(total int64) *budget {
	return &budget{total: total, free: total, changed: make(chan struct{})}
}

// acquire waits until n bytes (at most the whole budget) are free and takes
// them; it returns how many it took, or -1 when ctx ended first.
func (b *budget) acquire(ctx context.Context, n int64) int64 {
	n = min(n, b.total)
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return n
		}
		b.waiting++
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		b.mu.Lock()
		b.waiting--
		b.mu.Unlock()
		if ctx.Err() != nil {
			return -1
		}
	}
}

// release returns n bytes and wakes the waiters, if any (a release that
// nobody waits for allocates nothing).
func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free += n
	if b.waiting > 0 {
		close(b.changed)
		b.changed = make(chan struct{})
	}
	b.mu.Unlock()
}

// InFlight returns how many bytes of unverified bodies are held now.
func (v *Verifier) InFlight() int64 {
	b := v.budget()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total - b.free
}

func (v *Verifier) budget() *budget {
	v.budgetOnce.Do(func() {
		total := v.UnverifiedBytes
		if total <= 0 {
			total = DefaultUnverifiedBytes
		}
		v.unverified = newBudget(total)
	})
	return v.unverified
}
