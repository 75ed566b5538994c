package bridge

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/batonhq/baton/clock"
)

// CookieName is the session cookie.
const CookieName = "baton_bridge_session"

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// Revocations keeps signed-out sessions where every process sharing the
// database sees them (the store), until they would have expired.
type Revocations interface {
	RevokeSession(ctx context.Context, id string, expires time.Time) error
	SessionRevoked(ctx context.Context, id string) (bool, error)
}

// sessions are stateless signed cookies: 8 bytes of expiry and 16 random
// bytes, MACed with the session key. Any replica holding the key accepts
// them. Signing out revokes the cookie's id until it expires: in the store
// when there is one, so that every replica refuses it, else in this process.
// The server derives the key from the admin token's hash, so a new token
// ends every session.
type sessions struct {
	key   []byte
	clock clock.Clock
	store Revocations // nil: revocations in memory

	mu      sync.Mutex
	revoked map[string]time.Time
}

func newSessions(key []byte, clk clock.Clock, store Revocations) *sessions {
	return &sessions{key: key, clock: clk, store: store, revoked: map[string]time.Time{}}
}

func (s *sessions) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("baton-bridge-session\x00"))
	m.Write(payload)
	return m.Sum(nil)
}

// issue returns a new cookie value and its expiry. Expiry uses the wall
// clock: cookies outlive a --time-scale clock's notion of time.
func (s *sessions) issue() (string, time.Time) {
	exp := time.Now().Add(SessionTTL)
	payload := make([]byte, 24)
	binary.BigEndian.PutUint64(payload, uint64(exp.Unix()))
	_, _ = rand.Read(payload[8:])
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload)), exp
}

// parse returns the payload of a well-signed, unexpired, unrevoked value.
// A store that cannot be read refuses the session.
func (s *sessions) parse(ctx context.Context, v string) ([]byte, bool) {
	p, m, ok := strings.Cut(v, ".")
	if !ok || len(v) > 128 {
		return nil, false
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || len(payload) != 24 || !hmac.Equal(sum, s.mac(payload)) {
		return nil, false
	}
	if time.Now().Unix() >= int64(binary.BigEndian.Uint64(payload)) {
		return nil, false
	}
	if s.store != nil {
		gone, err := s.store.SessionRevoked(ctx, hex.EncodeToString(payload[8:]))
		return payload, err == nil && !gone
	}
	s.mu.Lock()
	_, gone := s.revoked[string(payload[8:])]
	s.mu.Unlock()
	return payload, !gone
}

func (s *sessions) valid(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return false
	}
	_, ok := s.parse(r.Context(), c.Value)
	return ok
}

// revoke ends the session of r.
func (s *sessions) revoke(r *http.Request) error {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil
	}
	payload, ok := s.parse(r.Context(), c.Value)
	if !ok {
		return nil
	}
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload)), 0)
	if s.store != nil {
		return s.store.RevokeSession(r.Context(), hex.EncodeToString(payload[8:]), expires)
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, exp := range s.revoked {
		if now.After(exp) {
			delete(s.revoked, id)
		}
	}
	s.revoked[string(payload[8:])] = expires
	return nil
}

// cookie returns the session cookie with value, flagged for r's scheme.
func cookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name: CookieName, Value: value, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
	}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = int(time.Until(expires).Seconds())
	}
	return c
}

func (b *Bridge) loginPage(w http.ResponseWriter, r *http.Request) error {
	if b.sessions.valid(r) {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return b.render(w, r, http.StatusOK, "login", loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

type loginView struct {
	Next    string
	Problem string
}

// login checks the token field. The token is never echoed, logged or put in
// a URL; failures are rate-limited per client as POST /api/v1/auth is.
func (b *Bridge) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return userErrorf(http.StatusBadRequest, "The sign-in form could not be read.")
	}
	next := safeNext(r.PostForm.Get("next"))
	if b.cfg.Limiter != nil && !b.cfg.Auth.Valid(r.PostForm.Get("token")) && !b.cfg.Limiter.Allow(r) {
		return b.render(w, r, http.StatusTooManyRequests, "login", loginView{Next: next,
			Problem: "Too many failed sign-ins from your address. Wait a few seconds and try again."})
	}
	if !b.cfg.Auth.Valid(r.PostForm.Get("token")) {
		return b.render(w, r, http.StatusUnauthorized, "login", loginView{Next: next,
			Problem: "That token is not baton's API token. Use the token printed when baton first started, or the value of BATON_TOKEN."})
	}
	if b.cfg.Limiter != nil {
		b.cfg.Limiter.Reset(r)
	}
	v, exp := b.sessions.issue()
	http.SetCookie(w, cookie(r, v, exp))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (b *Bridge) logout(w http.ResponseWriter, r *http.Request) error {
	if err := b.sessions.revoke(r); err != nil {
		// The cookie would still open the Bridge elsewhere: say so rather
		// than pretend the sign-out worked.
		return fmt.Errorf("sign out: %w", err)
	}
	http.SetCookie(w, cookie(r, "", time.Time{}))
	http.Redirect(w, r, "/bridge/login", http.StatusSeeOther)
	return nil
}

// safeNext keeps only local Bridge paths, so sign-in cannot redirect away.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}
