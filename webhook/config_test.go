package webhook

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestV1Beta1ContentType checks that a v1beta1 request with a payload and no
// Content-Type header is sent as curl --data sends it, since Keptn's
// webhook-service ran v1beta1 requests through curl (handler.go
// buildBetaCurlRequest).
func TestV1Beta1ContentType(t *testing.T) {
	form := Header{"Content-Type", "application/x-www-form-urlencoded"}
	cases := []struct {
		name, request string
		want          []Header
	}{
		{"payload, no header", `{url: 'http://x', method: POST, payload: 'a=1'}`, []Header{form}},
		{"payload and other headers", `{url: 'http://x', method: POST, headers: [{key: x-token, value: t}], payload: '{"a":1}'}`,
			[]Header{{"x-token", "t"}, form}},
		{"own content type kept", `{url: 'http://x', method: POST, headers: [{key: content-type, value: application/json}], payload: '{}'}`,
			[]Header{{"content-type", "application/json"}}},
		{"content type in options", `{url: 'http://x', method: PUT, options: "-H 'Content-Type: text/plain'", payload: 'hi'}`,
			[]Header{{"Content-Type", "text/plain"}}},
		{"no payload", `{url: 'http://x', method: POST}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte("apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [" + c.request + "]\n"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(cfg.Webhooks[0].Requests[0].Headers, c.want); diff != "" {
				t.Errorf("headers (-got +want):\n%s", diff)
			}
		})
	}
}
