package awsauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzAuthorization parses SigV4 Authorization headers and, for those that
// parse, builds the canonical request; nothing may panic, and a parsed
// header always has host signed and a 64-digit signature.
func FuzzAuthorization(f *testing.F) {
	for _, seed := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + strings.Repeat("ab", 32),
		"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sqs/aws4_request,SignedHeaders=x-amz-date,Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 ",
		"Bearer token",
		"AWS4-HMAC-SHA256 Credential=K/20260101/eu-west-3/appconfig/aws4_request, SignedHeaders=host;X-Amz-Date, Signature=" + strings.Repeat("0", 64),
	} {
		f.Add(seed, "a=1&b=%2F&b=0")
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		c, err := parseAuthorization(header)
		if err != nil {
			return
		}
		if len(c.signature) != 64 || !strings.Contains(";"+strings.Join(c.signedHeaders, ";")+";", ";host;") {
			t.Fatalf("accepted %q", header)
		}
		r := httptest.NewRequest("POST", "http://h/", nil)
		r.URL.RawQuery = query
		canonicalRequest(r, c.signedHeaders, hexSHA256(nil))
	})
}

// FuzzAmzDate: parseAmzDate accepts exactly what time.Parse accepts in
// X-Amz-Date's layout, as the same instant.
func FuzzAmzDate(f *testing.F) {
	for _, seed := range []string{
		"20260304T050607Z", "20240229T235959Z", "20250229T000000Z", "20260431T000000Z", "20261301T000000Z",
		"20260100T000000Z", "20260101T240000Z", "20260101T236000Z", "20260101T235960Z", "2026010lT000000Z",
		"20260101 000000Z", "20260101T000000", "+2026010T000000Z", "00000101T000000Z", "",
		"20260304T050607.5Z", "20260304T050607,123456789Z", "20260304T050607.Z",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseAmzDate(v)
		want, err := time.Parse("20060102T150405Z", v)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse: %v, %v", v, got, ok, want, err)
		}
	})
}

// Signed header names are looked up under their canonical keys, whether
// they are among the SDKs' usual ones or not.
func TestCanonicalKey(t *testing.T) {
	for _, name := range []string{"x-amz-date", "amz-sdk-invocation-id", "x-amzn-query-mode", "x-custom-thing", "content-md5"} {
		if got, want := canonicalKey(name), http.CanonicalHeaderKey(name); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", name, got, want)
		}
	}
}
