package awsauth

import (
	"net/http/httptest"
	"strings"
	"testing"
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
