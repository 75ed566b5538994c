// Package auth checks baton's API tokens.
//
// Tokens are random 32-byte values, shown once and stored only as SHA-256
// hashes (a fast hash is right for high-entropy secrets). Comparison is in
// constant time.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// ErrNoToken means no token was configured or stored.
var ErrNoToken = errors.New("auth: no token configured")

// NewToken returns a new random token, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of token, the form tokens are stored in.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Checker verifies tokens against a stored hash.
type Checker struct {
	hash [sha256.Size]byte
}

// NewChecker returns a checker for the hex SHA-256 hash.
func NewChecker(hexHash string) (*Checker, error) {
	b, err := hex.DecodeString(hexHash)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("auth: stored token hash is malformed")
	}
	var c Checker
	copy(c.hash[:], b)
	return &c, nil
}

// Valid reports whether token matches, in constant time.
func (c *Checker) Valid(token string) bool {
	if token == "" {
		return false
	}
	h := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1
}

// Digest returns the SHA-256 digest of the accepted token. Keys derived
// from it (the Bridge's session key) change when the token changes.
func (c *Checker) Digest() [sha256.Size]byte { return c.hash }

// FromRequest returns the token of r: the x-token header (Keptn), or an
// "Authorization: Bearer" header (Prometheus, curl users).
func FromRequest(r *http.Request) string {
	if t := r.Header.Get("x-token"); t != "" {
		return t
	}
	const bearer = "Bearer "
	if a := r.Header.Get("Authorization"); len(a) > len(bearer) && a[:len(bearer)] == bearer {
		return a[len(bearer):]
	}
	return ""
}

// Limiter rate-limits failed authentication per client IP the way Keptn's
// api-service limits POST /v1/auth: 1 request/s with a burst of 2, and the
// bucket is reset by a valid token.
type Limiter struct {
	mu      sync.Mutex
	perIP   map[string]*rate.Limiter
	limit   rate.Limit
	burst   int
	maxKeys int
	// clients mirrors len(perIP), so that Reset, which every request with
	// a valid token calls, costs nothing while no client has failed.
	clients atomic.Int64
}

// NewLimiter returns a limiter allowing perSecond requests with burst.
func NewLimiter(perSecond float64, burst int) *Limiter {
	return &Limiter{perIP: map[string]*rate.Limiter{}, limit: rate.Limit(perSecond), burst: burst, maxKeys: 10000}
}

// Allow reports whether a request from r's client may be checked now.
func (l *Limiter) Allow(r *http.Request) bool {
	ip := clientIP(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.perIP) >= l.maxKeys {
		clear(l.perIP) // bounded memory under address churn
	}
	lim, ok := l.perIP[ip]
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.perIP[ip] = lim
	}
	l.clients.Store(int64(len(l.perIP)))
	return lim.Allow()
}

// Reset forgets r's client, as after a valid token.
func (l *Limiter) Reset(r *http.Request) {
	if l.clients.Load() == 0 {
		return // no client to forget
	}
	ip := clientIP(r)
	l.mu.Lock()
	delete(l.perIP, ip)
	l.clients.Store(int64(len(l.perIP)))
	l.mu.Unlock()
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
