package appconfig

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"strconv"
	"sync"
	"time"
)

// Session limits of appconfigdata.
const (
	DefaultPollInterval = 60 // seconds
	MinPollInterval     = 15
	MaxPollInterval     = 86400
	TokenLifetime       = 24 * time.Hour
	maxSessions         = 1 << 20
)

// Data serves appconfigdata: configuration sessions with single-use,
// signed tokens. Tokens carry the session's state (what the client has, when
// it may poll next), so the store is only read when a deployment changed what
// is served, and a restart does not invalidate them.
type Data struct {
	svc *Service
	key []byte

	mu    sync.Mutex
	next  map[string]uint64 // session -> the only token sequence still usable
	cache sync.Map          // env/profile -> *served
	macs  sync.Pool         // HMAC-SHA256 states keyed with key
}

// NewData returns the data plane of svc; key signs tokens and must stay the
// same across restarts.
func NewData(svc *Service, key []byte) *Data {
	return &Data{svc: svc, key: key, next: map[string]uint64{}}
}

// tokenError is the BadRequestException of a bad configuration token.
func tokenError(problem, msg string) *Error {
	return &Error{Code: CodeBadRequest, Reason: "InvalidParameters", Message: msg, Problem: problem}
}

// StartSession starts a configuration session for the application,
// environment and profile (ids or names) and returns its first token.
func (d *Data) StartSession(ctx context.Context, app, env, profile string, minPoll int) (string, error) {
	if minPoll != 0 && (minPoll < MinPollInterval || minPoll > MaxPollInterval) {
		return "", Errorf(CodeBadRequest, "RequiredMinimumPollIntervalInSeconds must be between %d and %d", MinPollInterval, MaxPollInterval)
	}
	if minPoll == 0 {
		minPoll = DefaultPollInterval
	}
	a, e, p, err := d.resolve(ctx, app, env, profile)
	if err != nil {
		return "", err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	sid := hex.EncodeToString(b[:])
	h := fnv.New32a()
	h.Write(b[:])
	now := d.svc.clock.Now()
	t := token{Session: sid, App: a, Env: e, Profile: p, Poll: minPoll, Bucket: int(h.Sum32() % 10000),
		NotTil: now.UnixMilli(), Expires: now.Add(TokenLifetime).UnixMilli()}
	return d.sign(t), nil
}

func (d *Data) resolve(ctx context.Context, app, env, profile string) (string, string, string, error) {
	r := d.svc.store
	a, err := idOrName(ctx, r, KindApplication, "", app)
	if err != nil {
		return "", "", "", err
	}
	e, err := idOrName(ctx, r, KindEnvironment, a, env)
	if err != nil {
		return "", "", "", err
	}
	p, err := idOrName(ctx, r, KindProfile, a, profile)
	return a, e, p, err
}

func idOrName(ctx context.Context, r Reader, kind Kind, parent, ident string) (string, error) {
	var doc struct {
		ApplicationID string `json:"ApplicationId"`
	}
	if err := r.Get(ctx, kind, ident, &doc); err == nil && (parent == "" || doc.ApplicationID == parent) {
		return ident, nil
	}
	return r.FindByName(ctx, kind, parent, ident)
}

// Latest is a GetLatestConfiguration answer. Content is empty when the
// client already has the configuration being served.
type Latest struct {
	Content      []byte
	ContentType  string
	VersionLabel string
	NextToken    string
	PollSeconds  int
}

// GetLatest redeems a token: it returns the configuration when it changed
// since the session last saw it, and the next token.
func (d *Data) GetLatest(ctx context.Context, tok string) (*Latest, error) {
	t, err := d.verify(tok)
	if err != nil {
		return nil, err
	}
	now := d.svc.clock.Now()
	if now.UnixMilli() > t.Expires {
		return nil, tokenError("Expired", "the configuration token has expired; start a new session")
	}
	if now.UnixMilli() < t.NotTil {
		return nil, tokenError("PollIntervalNotSatisfied", "polled before the poll interval elapsed")
	}
	if err := d.redeem(ctx, t); err != nil {
		return nil, err
	}
	sv, err := d.served(ctx, t.Env, t.Profile)
	if err != nil {
		return nil, err
	}
	out := &Latest{PollSeconds: t.Poll}
	if v := sv.pick(float64(t.Bucket) / 100); v != nil && v.version != t.Have {
		out.Content, out.ContentType, out.VersionLabel = v.content, v.contentType, v.label
		t.Have = v.version
	} else if v == nil {
		t.Have = 0
	}
	t.Seq++
	t.NotTil = now.Add(time.Duration(t.Poll) * time.Second).UnixMilli()
	out.NextToken = d.sign(t)
	return out, nil
}

// redeem marks t used; each token is good once. A store that keeps a
// TokenLedger enforces that across every process sharing it.
func (d *Data) redeem(ctx context.Context, t token) error {
	if l, ok := d.svc.store.(TokenLedger); ok {
		ok, err := l.RedeemToken(ctx, t.Session, t.Seq, time.UnixMilli(t.Expires))
		if err != nil {
			return err
		}
		if !ok {
			return tokenError("Expired", "the configuration token has already been used; use the token of the latest response")
		}
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if want, ok := d.next[t.Session]; ok && t.Seq != want {
		return tokenError("Expired", "the configuration token has already been used; use the token of the latest response")
	}
	if len(d.next) >= maxSessions {
		clear(d.next) // bounded memory; old sessions then get one more use
	}
	d.next[t.Session] = t.Seq + 1
	return nil
}

// Configuration answers the deprecated GetConfiguration: the configuration
// client clientID is served (bucketed by its id), empty when the client
// already has version have. version is "" before any deployment.
func (d *Data) Configuration(ctx context.Context, app, env, profile, clientID, have string) (l *Latest, version string, err error) {
	if clientID == "" || len(clientID) > 64 {
		return nil, "", Errorf(CodeBadRequest, "client_id must be 1 to 64 characters")
	}
	_, e, p, err := d.resolve(ctx, app, env, profile)
	if err != nil {
		return nil, "", err
	}
	sv, err := d.served(ctx, e, p)
	if err != nil {
		return nil, "", err
	}
	h := fnv.New32a()
	h.Write([]byte(clientID))
	l = &Latest{}
	v := sv.pick(float64(h.Sum32()%10000) / 100)
	if v == nil {
		return l, "", nil
	}
	version = strconv.Itoa(v.version)
	l.ContentType = v.contentType
	if version != have {
		l.Content = v.content
	}
	return l, version, nil
}
