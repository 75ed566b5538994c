package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// signedDo sends a SigV4-signed AppConfig request with a raw body.
func signedDo(t *testing.T, in *batontest.Instance, method, path string, body []byte) (int, string) {
	t.Helper()
	id, secret := in.AWSKeys()
	req, _ := http.NewRequest(method, in.URL+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	h := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
		req, hex.EncodeToString(h[:]), "appconfig", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Input that used to be accepted and silently changed is refused with a
// clear error: invalid UTF-8 in AppConfig names, a huge Keptn event type,
// source or id, a huge integration name.
func TestLimitsRefuseClearly(t *testing.T) {
	in := batontest.Start(t, server.Config{Out: io.Discard})
	st, body := signedDo(t, in, "POST", "/applications", []byte("{\"Name\":\"app\xff\xfe\"}"))
	if st != 400 || !strings.Contains(body, "UTF-8") {
		t.Errorf("AppConfig name with invalid UTF-8: %d %s", st, body)
	}
	if st, body := signedDo(t, in, "GET", "/applications", nil); st != 200 || strings.Contains(body, "app") {
		t.Errorf("the refused application was created: %d %s", st, body)
	}

	for _, tc := range []struct{ name, event, want string }{
		{"type", fmt.Sprintf(`{"type":"sh.keptn.event.%s.triggered","source":"s","data":{}}`, strings.Repeat("x", 100<<10)), "type"},
		{"source", fmt.Sprintf(`{"type":"sh.keptn.event.x.triggered","source":"%s","data":{}}`, strings.Repeat("s", 10<<10)), "source"},
		{"id", fmt.Sprintf(`{"type":"sh.keptn.event.x.triggered","source":"s","id":"%s","data":{}}`, strings.Repeat("i", 10<<10)), "id"},
	} {
		st, b := in.Do("POST", "/api/v1/event", tc.event)
		if st != 400 || !strings.Contains(string(b), tc.want+" is longer than") {
			t.Errorf("event with a huge %s: %d %.200s", tc.name, st, b)
		}
	}
	reg := fmt.Sprintf(`{"name":"%s","metadata":{"hostname":"h","integrationversion":"1"},"subscriptions":[]}`, strings.Repeat("n", 1<<20))
	if st, b := in.Do("POST", "/api/controlPlane/v1/uniform/registration", reg); st != 400 || !strings.Contains(string(b), "name is longer than") {
		t.Errorf("integration with a 1 MB name: %d %.200s", st, b)
	}
}
