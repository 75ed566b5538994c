package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// zeros is an endless reader of 'a' that allocates nothing per read.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Unauthenticated requests to the AWS faces are refused before their body is
// read: 300 concurrent 5 MiB requests without a valid access key allocate a
// small fraction of what their bodies would take (1.5 GiB).
func TestAWSFacesRejectBeforeReadingBody(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	const size, n = 5 << 20, 300
	unknownKey := "AWS4-HMAC-SHA256 Credential=AKIANOTAKEY000000000/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)
	cases := []struct{ name, path, ctype, authz string }{
		{"sqs query, no signature", "/", "application/x-www-form-urlencoded", ""},
		{"sqs json, unknown key", "/", "application/x-amz-json-1.0", unknownKey},
		{"appconfig, no signature", "/applications", "application/json", ""},
		{"appconfig hosted version, unknown key", "/applications/a/configurationprofiles/p/hostedconfigurationversions", "text/plain", strings.Replace(unknownKey, "/sqs/", "/appconfig/", 1)},
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := allocated()
			var wg sync.WaitGroup
			statuses := make(chan int, n)
			for range n {
				wg.Go(func() {
					req, _ := http.NewRequest("POST", in.URL+tc.path, io.LimitReader(zeros{}, size))
					req.ContentLength = size
					req.Header.Set("Content-Type", tc.ctype)
					req.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
					req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
					if tc.authz != "" {
						req.Header.Set("Authorization", tc.authz)
					}
					resp, err := client.Do(req)
					if err != nil {
						statuses <- 0 // the server may close while the body is still being sent
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					statuses <- resp.StatusCode
				})
			}
			wg.Wait()
			close(statuses)
			grown := allocated() - before
			answered := 0
			for st := range statuses {
				if st != 0 {
					answered++
					if st < 400 || st >= 500 {
						t.Errorf("status %d", st)
					}
				}
			}
			t.Logf("%d of %d answered; %d MiB allocated", answered, n, grown>>20)
			if grown > 150<<20 {
				t.Errorf("%d MiB allocated for %d refused requests; the bodies were buffered", grown>>20, n)
			}
		})
	}
}

// The credential scope's service must be the face's, host must be signed,
// and a signed x-amz-content-sha256 must match the body.
func TestAWSScopeServiceAndHost(t *testing.T) {
	in := batontest.Start(t, server.Config{Out: io.Discard})
	id, secret := in.AWSKeys()
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	var contentHash bool
	send := func(path, target, body, service string, edit func(*http.Request)) (int, string) {
		req, _ := http.NewRequest("POST", in.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		h := sha256.Sum256([]byte(body))
		if contentHash {
			req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(h[:]))
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(h[:]), service, "eu-west-3", time.Now()); err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := send("/", "AmazonSQS.ListQueues", "{}", "sqs", nil); st != 200 {
		t.Fatalf("sqs signed for sqs: %d %s", st, body)
	}
	if st, body := send("/", "AWSSecurityTokenServiceV20110615.GetCallerIdentity", "{}", "sts", nil); st != 200 || !strings.Contains(body, id) {
		t.Fatalf("sts signed for sts: %d %s", st, body)
	}
	for _, tc := range []struct{ name, path, target, service string }{
		{"sqs signed for appconfig", "/", "AmazonSQS.ListQueues", "appconfig"},
		{"sqs signed for sts", "/", "AmazonSQS.ListQueues", "sts"},
		{"appconfig signed for sqs", "/applications", "", "sqs"},
		{"sts signed for sqs", "/", "AWSSecurityTokenServiceV20110615.GetCallerIdentity", "sqs"},
	} {
		st, body := send(tc.path, tc.target, "{}", tc.service, nil)
		if st != 403 || !strings.Contains(body, "Credential should be scoped to correct service") {
			t.Errorf("%s: %d %s", tc.name, st, body)
		}
	}
	// Host not signed: re-sign with a header list that lacks host.
	st, body := send("/", "AmazonSQS.ListQueues", "{}", "sqs", func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;", 1))
	})
	if st != 400 || !strings.Contains(body, "'Host' or ':authority' must be a 'SignedHeader'") {
		t.Errorf("host not signed: %d %s", st, body)
	}
	// A signed x-amz-content-sha256 that the body does not match.
	st, body = send("/", "AmazonSQS.ListQueues", `{"QueueNamePrefix":"x"}`, "sqs", func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(`{"QueueNamePrefix":"y"}`))
	})
	if st != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("tampered body: %d %s", st, body)
	}
	contentHash = true
	if st, body := send("/", "AmazonSQS.ListQueues", "{}", "sqs", nil); st != 200 {
		t.Fatalf("signed x-amz-content-sha256: %d %s", st, body)
	}
	st, body = send("/", "AmazonSQS.ListQueues", `{"QueueNamePrefix":"x"}`, "sqs", func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(`{"QueueNamePrefix":"y"}`))
	})
	if st != 403 || !strings.Contains(body, "x-amz-content-sha256") {
		t.Errorf("body not matching x-amz-content-sha256: %d %s", st, body)
	}
}
