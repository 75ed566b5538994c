package awsauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type staticKeys map[string]string

func (k staticKeys) SecretKey(_ context.Context, id string) (string, error) {
	if s, ok := k[id]; ok {
		return s, nil
	}
	return "", ErrUnknownKey
}

// signed returns a request signed by the AWS SDK's signer.
func signed(t *testing.T, method, url, body, secret string, at time.Time) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
	h := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sqs", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, Now: func() time.Time { return now }}
	for _, url := range []string{
		"http://127.0.0.1:8080/",
		"http://127.0.0.1:8080/tags/arn%3Aaws%3Aappconfig%3Aus-east-1%3A000000000000%3Aapplication%2Fabc",
		"http://127.0.0.1:8080/applications?max_results=5&next_token=a%2Bb&flag",
	} {
		req := signed(t, http.MethodPost, url, `{"x":1}`, "s3cret", now)
		if id, err := v.Verify(req, []byte(`{"x":1}`)); err != nil || id != "AKIATEST" {
			t.Errorf("%s: Verify = %q, %v", url, id, err)
		}
	}
	req := signed(t, http.MethodPost, "http://h/", `{"x":1}`, "s3cret", now)
	if _, err := v.Verify(req, []byte(`{"x":2}`)); code(err) != CodeSignatureDoesNotMatch {
		t.Errorf("tampered body: %v", err)
	}
	req = signed(t, http.MethodPost, "http://h/", `{}`, "s3cret", now)
	req.Header.Set("X-Amz-Target", "AmazonSQS.DeleteQueue")
	if _, err := v.Verify(req, []byte(`{}`)); code(err) != CodeSignatureDoesNotMatch {
		t.Errorf("tampered signed header: %v", err)
	}
	if _, err := v.Verify(signed(t, http.MethodPost, "http://h/", `{}`, "wrong", now), []byte(`{}`)); code(err) != CodeSignatureDoesNotMatch {
		t.Errorf("wrong secret: %v", err)
	}
	if _, err := v.Verify(signed(t, http.MethodPost, "http://h/", `{}`, "s3cret", now.Add(-16*time.Minute)), []byte(`{}`)); code(err) != CodeSignatureDoesNotMatch {
		t.Errorf("old signature: %v", err)
	}
	if _, err := v.Verify(httptest.NewRequest(http.MethodPost, "http://h/", nil), nil); code(err) != CodeMissingAuthenticationToken {
		t.Errorf("unsigned: %v", err)
	}
	req = httptest.NewRequest(http.MethodPost, "http://h/", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIATEST/20260304")
	if _, err := v.Verify(req, nil); code(err) != CodeIncompleteSignature {
		t.Errorf("incomplete: %v", err)
	}
	other := &Verifier{Keys: staticKeys{}, Now: func() time.Time { return now }}
	if _, err := other.Verify(signed(t, http.MethodPost, "http://h/", `{}`, "s3cret", now), []byte(`{}`)); code(err) != CodeInvalidClientTokenID {
		t.Errorf("unknown key: %v", err)
	}
	dev := &Verifier{AllowAny: true}
	if _, err := dev.Verify(httptest.NewRequest(http.MethodPost, "http://h/", nil), nil); err != nil {
		t.Errorf("development mode refused: %v", err)
	}
}

func TestMiddleware(t *testing.T) {
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}}
	var seen string
	h := v.Middleware(Face{
		Services: func(*http.Request) []string { return []string{"sqs"} },
		MaxBody:  func(*http.Request) int64 { return 1 << 10 },
		OnError: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, code(err), http.StatusForbidden)
		},
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = string(b)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed(t, http.MethodPost, "http://h/x", "payload", "s3cret", time.Now()))
	if rec.Code != 200 || seen != "payload" {
		t.Errorf("signed request: %d, handler saw %q", rec.Code, seen)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, signed(t, http.MethodPost, "http://h/x", "payload", "nope", time.Now()))
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), CodeSignatureDoesNotMatch) {
		t.Errorf("bad signature: %d %s", rec.Code, rec.Body)
	}
}

// A request signed with UNSIGNED-PAYLOAD does not verify: the body must be
// covered by the signature.
func TestUnsignedPayloadRefused(t *testing.T) {
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}}
	creds := aws.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "s3cret"}
	body := []byte("Action=SendMessage&MessageBody=tampered")
	req := httptest.NewRequest("POST", "http://127.0.0.1:8080/", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "sqs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(req, body); err == nil {
		t.Fatal("UNSIGNED-PAYLOAD request verified")
	}
}

// Bodies read before their signature is checked share a byte budget: while
// one request holds it all, another waits (here until its context ends).
func TestUnverifiedBodiesShareBudget(t *testing.T) {
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, UnverifiedBytes: 1 << 20}
	errs := make(chan error, 2)
	h := v.Middleware(Face{
		Services: func(*http.Request) []string { return []string{"sqs"} },
		MaxBody:  func(*http.Request) int64 { return 4 << 20 },
		OnError:  func(w http.ResponseWriter, r *http.Request, err error) { errs <- err },
	})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { errs <- nil }))

	pr, pw := io.Pipe()
	first := signed(t, http.MethodPost, "http://h/", "", "s3cret", time.Now())
	first.Body, first.ContentLength = pr, 2<<20
	go h.ServeHTTP(httptest.NewRecorder(), first)
	deadline := time.Now().Add(5 * time.Second)
	for v.InFlight() != 1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("first request holds %d bytes of the budget, want all of it", v.InFlight())
		}
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	second := signed(t, http.MethodPost, "http://h/", "x", "s3cret", time.Now()).WithContext(ctx)
	cancel()
	h.ServeHTTP(httptest.NewRecorder(), second)
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("second request while the budget is taken: %v, want it to wait until canceled", err)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	<-errs
	if v.InFlight() != 0 {
		t.Errorf("budget not released: %d", v.InFlight())
	}
}

// A release wakes the acquires waiting for bytes.
func TestBudgetWakesWaiters(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if got := b.acquire(ctx, 10); got != 10 {
		t.Fatalf("acquire = %d, want 10", got)
	}
	got := make(chan int64, 2)
	for range 2 {
		go func() { got <- b.acquire(ctx, 5) }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		waiting := b.waiting
		b.mu.Unlock()
		if waiting == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acquires waiting, want 2", waiting)
		}
		runtime.Gosched()
	}
	b.release(10)
	for range 2 {
		if n := <-got; n != 5 {
			t.Fatalf("acquire after release = %d, want 5", n)
		}
	}
	if b.free != 0 || b.waiting != 0 {
		t.Errorf("free %d, waiting %d; want 0, 0", b.free, b.waiting)
	}
}

// The HMACs a signing key reuses carry nothing from one request to the next:
// good and bad signatures under one key, verified concurrently and over and
// over, each get their own verdict.
func TestVerifyReusesKeysSafely(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, Now: func() time.Time { return now }}
	bodies := []string{`{}`, `{"a":1}`, strings.Repeat("x", 3000)}
	type request struct {
		r    *http.Request
		body string
		good bool
	}
	var reqs []request
	for _, b := range bodies {
		reqs = append(reqs, request{signed(t, http.MethodPost, "http://h/", b, "s3cret", now), b, true},
			request{signed(t, http.MethodPost, "http://h/", b, "wrong", now), b, false},
			request{signed(t, http.MethodPost, "http://h/", b, "s3cret", now), b + " ", false})
	}
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range 200 {
				rq := reqs[(i+w)%len(reqs)]
				_, err := v.Verify(rq.r, []byte(rq.body))
				if rq.good != (err == nil) {
					errs <- fmt.Errorf("request %d (good %v): %v", (i+w)%len(reqs), rq.good, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, Now: func() time.Time { return now }}
	body := `{"QueueUrl":"http://127.0.0.1:8080/000000000000/bench","MessageBody":"` + strings.Repeat("x", 256) + `"}`
	req := signed(&testing.T{}, http.MethodPost, "http://127.0.0.1:8080/", body, "s3cret", now)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySDKSend verifies a SendMessage as aws-sdk-go-v2 signs it:
// the headers it sends and signs, read as net/http's server would hand
// them over.
func BenchmarkVerifySDKSend(b *testing.B) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, Now: func() time.Time { return now }}
	body := `{"MessageBody":"` + strings.Repeat("x", 256) + `","QueueUrl":"http://127.0.0.1:8080/000000000000/bench"}`
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", strings.NewReader(body))
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.47.7 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/sqs#1.52.10 m/E,e")
	req.Header.Set("Amz-Sdk-Invocation-Id", "52db6074-a01f-4662-a8ae-8b16487c54af")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessage")
	req.Header.Set("X-Amzn-Query-Mode", "true")
	req.Header.Set("Accept-Encoding", "gzip")
	h := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "s3cret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sqs", "us-east-1", now); err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(req.Header.Get("Authorization"), "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target;x-amzn-query-mode") {
		b.Fatalf("signed headers differ from the SDK's: %s", req.Header.Get("Authorization"))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(req, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
}

// The signing-key cache holds only scopes a signature verified under, and
// stays bounded: requests naming a known access key with scopes of their
// own choosing, and failing, add nothing.
func TestSigningKeyCacheBounded(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	v := &Verifier{Keys: staticKeys{"AKIATEST": "s3cret"}, Now: func() time.Time { return now }}
	cached := v.cachedSigningKeys
	sign := func(secret, region string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "http://h/", strings.NewReader("{}"))
		h := sha256.Sum256([]byte("{}"))
		creds := aws.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), "sqs", region, now); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for i := range 500 {
		if _, err := v.Verify(sign("guess", fmt.Sprintf("region-%d", i)), []byte("{}")); err == nil {
			t.Fatal("a wrong secret verified")
		}
	}
	if n := cached(); n != 0 {
		t.Fatalf("failed signatures cached %d signing keys", n)
	}
	for range 3 {
		if _, err := v.Verify(sign("s3cret", "us-east-1"), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if n := cached(); n != 1 {
		t.Fatalf("one verified scope cached %d signing keys", n)
	}
	for i := range maxSigningKeys + 10 {
		if _, err := v.Verify(sign("s3cret", fmt.Sprintf("r-%d", i)), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if n := cached(); n > maxSigningKeys {
		t.Fatalf("%d signing keys cached, over the bound %d", n, maxSigningKeys)
	}
}
