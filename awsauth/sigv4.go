// Package awsauth authenticates requests to baton's AWS-compatible faces
// (SQS now, AppConfig next) with AWS Signature Version 4, against access keys
// that baton manages (Keys). A development mode accepts any credentials.
//
// Verification is written here rather than borrowed from the SDK's signer:
// the signer decides itself which headers to sign, while a verifier must
// rebuild the canonical request from exactly the headers the client listed.
package awsauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Error codes, as AWS names them.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
)

// Error is an authentication failure; Message is safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// ErrorCode returns the AWS error code.
func (e *Error) ErrorCode() string { return e.Code }

// ErrUnknownKey is returned by SecretSource for an access key it does not know.
var ErrUnknownKey = errors.New("awsauth: unknown access key")

// SecretSource returns the secret access key of an access key id.
type SecretSource interface {
	// SecretKey returns the secret, or ErrUnknownKey.
	SecretKey(ctx context.Context, accessKeyID string) (string, error)
}

// Verifier checks SigV4 signatures.
type Verifier struct {
	// Keys supplies secrets. Nil with AllowAny.
	Keys SecretSource
	// AllowAny is development mode: every request is accepted, signed or not.
	AllowAny bool
	// Now is the time source for the clock-skew check (default time.Now).
	Now func() time.Time
	// MaxSkew is how far the request time may be from Now (default 15 min).
	MaxSkew time.Duration

	// UnverifiedBytes bounds the bytes of request bodies read before their
	// signature could be checked, across all requests (default
	// DefaultUnverifiedBytes).
	UnverifiedBytes int64

	keysMu      sync.RWMutex
	signingKeys map[string]*signer // accessKey+"/"+scope -> signer, of verified signatures
	budgetOnce  sync.Once
	unverified  *budget
}

const algorithm = "AWS4-HMAC-SHA256"

// credential is a parsed Authorization header.
type credential struct {
	accessKey, date, region, service string
	// scopeText is the credential scope as sent:
	// <date>/<region>/<service>/aws4_request.
	scopeText     string
	signedHeaders []string
	signature     string
}

// Verify authenticates r, whose body was read into body, and returns the
// caller's access key id. It checks neither the credential scope's service
// nor the payload-hash header; the Middleware and For do.
func (v *Verifier) Verify(r *http.Request, body []byte) (string, error) {
	if v.AllowAny {
		return anonymous(r), nil
	}
	p, err := v.begin(r, nil)
	if err != nil {
		return "", err
	}
	if err := p.verifyBody(body); err != nil {
		return "", err
	}
	return p.cred.accessKey, nil
}

// anonymous names the caller in development mode: the access key the request
// claims, else "anonymous".
func anonymous(r *http.Request) string {
	if c, err := parseAuthorization(r.Header.Get("Authorization")); err == nil {
		return c.accessKey
	}
	return "anonymous"
}

// pending is a request whose headers passed every check that needs no body:
// a well-formed Authorization header, the credential scope's service, host
// among the signed headers, X-Amz-Date within the allowed skew and a known
// access key. Its signature is checked once the payload hash is known.
type pending struct {
	v       *Verifier
	fresh   string // the key's cache key when it is not cached yet
	r       *http.Request
	cred    credential
	amzDate string
	key     *signer
}

// begin runs the checks that need no body. services, when not empty, lists
// the signing names the credential scope may carry.
func (v *Verifier) begin(r *http.Request, services []string) (*pending, error) {
	cred, err := parseAuthorization(headerFirst(r.Header, "Authorization"))
	if err != nil {
		return nil, err
	}
	if len(services) > 0 && !slices.Contains(services, cred.service) {
		return nil, &Error{CodeSignatureDoesNotMatch, fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", services[0])}
	}
	amzDate := headerFirst(r.Header, "X-Amz-Date")
	t, ok := parseAmzDate(amzDate)
	if !ok || !strings.HasPrefix(amzDate, cred.date) {
		return nil, &Error{CodeIncompleteSignature, "Authorization header requires a valid X-Amz-Date header matching the credential scope."}
	}
	if skew := v.now().Sub(t); skew > v.maxSkew() || -skew > v.maxSkew() {
		return nil, &Error{CodeSignatureDoesNotMatch, fmt.Sprintf("Signature expired: %s is not within %s of the server time.", amzDate, v.maxSkew())}
	}
	key, fresh, err := v.signingKey(r.Context(), cred)
	if err != nil {
		return nil, err
	}
	return &pending{v: v, fresh: fresh, r: r, cred: cred, amzDate: amzDate, key: key}, nil
}

// signedPayloadHash returns the value of a signed x-amz-content-sha256
// header when it is a SHA-256 in hex: the signature can then be checked
// before the body is read, and the body against the hash while it is read.
func (p *pending) signedPayloadHash() string {
	if !slices.Contains(p.cred.signedHeaders, "x-amz-content-sha256") {
		return ""
	}
	h := strings.ToLower(strings.TrimSpace(p.r.Header.Get("X-Amz-Content-Sha256")))
	if len(h) != sha256.Size*2 {
		return ""
	}
	if _, err := hex.DecodeString(h); err != nil {
		return ""
	}
	return h
}

// verify checks the signature for the payload hash payloadHash. The
// canonical request and the string to sign are appended to one buffer, not
// built from concatenated strings.
func (p *pending) verify(payloadHash []byte) error {
	bp := verifyBufs.Get().(*[]byte)
	buf := appendCanonicalRequest((*bp)[:0], p.r, p.cred.signedHeaders, payloadHash)
	defer func() {
		if cap(buf) <= 64<<10 { // keep a buffer that grew, unless a huge request made it so
			*bp = buf[:0]
			verifyBufs.Put(bp)
		}
	}()
	sum := sha256.Sum256(buf)
	buf = append(buf[:0], algorithm+"\n"...)
	buf = append(buf, p.amzDate...)
	buf = append(buf, '\n')
	buf = append(buf, p.cred.date...)
	buf = append(buf, '/')
	buf = append(buf, p.cred.region...)
	buf = append(buf, '/')
	buf = append(buf, p.cred.service...)
	buf = append(buf, "/aws4_request\n"...)
	buf = hex.AppendEncode(buf, sum[:])
	m := p.key.mac()
	m.Write(buf)
	want := hex.AppendEncode(buf[:0], m.Sum(sum[:0]))
	p.key.macs.Put(m)
	if !hmac.Equal(want, []byte(p.cred.signature)) {
		return &Error{CodeSignatureDoesNotMatch, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
	}
	p.v.remember(p.fresh, p.key)
	return nil
}

// verifyBody checks the signature for a request whose payload is body.
func (p *pending) verifyBody(body []byte) error {
	var h [2 * sha256.Size]byte
	return p.verify(appendHexSHA256(h[:0], body))
}

// verifyBufs holds the buffers verify builds the canonical request and the
// string to sign in: one per request otherwise.
var verifyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return 15 * time.Minute
}

// signer is a derived signing key with HMACs keyed with it: a reset HMAC
// starts from the key's precomputed inner and outer states instead of hashing
// the padded key again for every request.
type signer struct {
	key  []byte
	macs sync.Pool // of hash.Hash
}

// mac returns an HMAC-SHA256 keyed with the signing key, ready for a new
// message; put it back in macs when done.
func (s *signer) mac() hash.Hash {
	if m, ok := s.macs.Get().(hash.Hash); ok {
		m.Reset()
		return m
	}
	m := hmac.New(sha256.New, s.key)
	m.Reset() // precomputes the padded key's states for the next Reset
	return m
}

// maxSigningKeys bounds the cache of derived signing keys (one per access
// key and credential scope: date, region, service).
const maxSigningKeys = 4096

// signingKey derives the key for the credential's scope, from the cache if
// a request under that scope verified before. A derived key enters the cache
// only once a signature made with it verifies (remember): the scope is the
// client's to choose, and an unauthenticated client naming a known access
// key must not be able to fill memory with scopes.
// fresh is the cache key of a key not taken from the cache, else "".
func (v *Verifier) signingKey(ctx context.Context, c credential) (sk *signer, fresh string, err error) {
	// The lookup key is built on the stack: indexing a map with a
	// converted byte slice allocates nothing.
	var buf [192]byte
	ck := append(append(append(buf[:0], c.accessKey...), '/'), c.scopeText...)
	v.keysMu.RLock()
	k, ok := v.signingKeys[string(ck)]
	v.keysMu.RUnlock()
	if ok {
		return k, "", nil
	}
	secret, err := v.Keys.SecretKey(ctx, c.accessKey)
	if errors.Is(err, ErrUnknownKey) {
		return nil, "", &Error{CodeInvalidClientTokenID, "The security token included in the request is invalid."}
	}
	if err != nil {
		return nil, "", fmt.Errorf("look up access key: %w", err)
	}
	d := hmacSHA256([]byte("AWS4"+secret), c.date)
	d = hmacSHA256(d, c.region)
	d = hmacSHA256(d, c.service)
	d = hmacSHA256(d, "aws4_request")
	return &signer{key: d}, string(ck), nil
}

// remember caches a signing key a signature verified with. Past
// maxSigningKeys the cache starts over: keys are cheap to derive again.
func (v *Verifier) remember(cacheKey string, sk *signer) {
	if cacheKey == "" {
		return // it came from the cache
	}
	v.keysMu.Lock()
	defer v.keysMu.Unlock()
	if _, ok := v.signingKeys[cacheKey]; ok {
		return
	}
	if v.signingKeys == nil || len(v.signingKeys) >= maxSigningKeys {
		v.signingKeys = map[string]*signer{}
	}
	v.signingKeys[cacheKey] = sk
}

// Forget drops cached signing keys of an access key (after it was deleted).
func (v *Verifier) Forget(accessKeyID string) {
	v.keysMu.Lock()
	defer v.keysMu.Unlock()
	for k := range v.signingKeys {
		if strings.HasPrefix(k, accessKeyID+"/") {
			delete(v.signingKeys, k)
		}
	}
}

// cachedSigningKeys returns how many signing keys are cached.
func (v *Verifier) cachedSigningKeys() int {
	v.keysMu.RLock()
	defer v.keysMu.RUnlock()
	return len(v.signingKeys)
}

// canonicalRequest builds SigV4's canonical request from the signed headers
// and the hex SHA-256 of the payload.
func canonicalRequest(r *http.Request, signed []string, payloadHash string) string {
	return string(appendCanonicalRequest(nil, r, signed, []byte(payloadHash)))
}

// appendCanonicalRequest appends the canonical request to b.
func appendCanonicalRequest(b []byte, r *http.Request, signed []string, payloadHash []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, canonicalURI(r.URL)...)
	b = append(b, '\n')
	b = append(b, canonicalQuery(r.URL.RawQuery)...)
	b = append(b, '\n')
	for _, h := range signed {
		b = append(b, h...)
		b = append(b, ':')
		b = append(b, headerValue(r, h)...)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	for i, h := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h...)
	}
	// Always a hash the body is checked against: SQS and AppConfig clients
	// sign their payloads, and accepting UNSIGNED-PAYLOAD would leave the
	// body outside the signature.
	b = append(b, '\n')
	return append(b, payloadHash...)
}

func headerValue(r *http.Request, name string) string {
	if name == "host" {
		return r.Host
	}
	vals := r.Header[canonicalKey(name)]
	if name == "content-length" && len(vals) == 0 && r.ContentLength >= 0 {
		return strconv.FormatInt(r.ContentLength, 10)
	}
	if len(vals) == 1 {
		return trimHeader(vals[0])
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = trimHeader(v)
	}
	return strings.Join(out, ",")
}

// knownKeys maps the lowercase names of the headers that AWS SDKs sign to
// their canonical form, so that looking them up allocates nothing.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "Content-Encoding", "Content-Length", "Content-Md5",
		"Content-Type", "X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Target",
		"X-Amz-User-Agent", "X-Amzn-Query-Mode", "X-Amzn-Trace-Id", "User-Agent", "Accept", "Accept-Encoding",
	} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// canonicalKey returns the canonical header key of a lowercase signed
// header name.
func canonicalKey(name string) string {
	if k, ok := knownKeys[name]; ok {
		return k
	}
	return http.CanonicalHeaderKey(name)
}

// headerFirst returns the first value of the header with canonical key key.
func headerFirst(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseAmzDate parses an X-Amz-Date value, yyyymmddThhmmssZ, as
// time.Parse("20060102T150405Z", v) does, without its general machinery
// for the 16 characters every SDK sends. Other lengths go to time.Parse,
// which also takes a fractional second after the seconds.
func parseAmzDate(v string) (time.Time, bool) {
	if len(v) != 16 {
		t, err := time.Parse("20060102T150405Z", v)
		return t, err == nil
	}
	if v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			n = n*10 + int(s[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(v[0:4])
	mo, ok2 := num(v[4:6])
	d, ok3 := num(v[6:8])
	h, ok4 := num(v[9:11])
	mi, ok5 := num(v[11:13])
	sec, ok6 := num(v[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // past the end of its month
		return time.Time{}, false
	}
	return t, true
}

// trimHeader trims a header value and collapses runs of spaces, allocating
// only when there is something to collapse.
func trimHeader(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") && !strings.ContainsAny(v, "\t\n\r") {
		return v
	}
	return strings.Join(strings.Fields(v), " ")
}

// canonicalURI escapes the path as sent once more, as AWS does for every
// service but S3.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return escape(p, true)
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, _ := url.ParseQuery(raw)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), vals[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, escape(k, false)+"="+escape(v, false))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes everything but unreserved characters (and '/' when
// keepSlash).
func escape(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	unreserved := func(c byte) bool {
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')
	}
	i := 0
	for i < len(s) && unreserved(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// appendHexSHA256 appends the hex SHA-256 of b to dst.
func appendHexSHA256(dst, b []byte) []byte {
	h := sha256.Sum256(b)
	return hex.AppendEncode(dst, h[:])
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
