package webhook

import "testing"

// FuzzWebhookConfig parses webhook.yaml files (both API versions, curl
// commands included) and renders what parsed with sample data; nothing may
// panic, and what parses has only http(s) or templated URLs.
func FuzzWebhookConfig(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: sh.keptn.event.x.triggered\n      sendFinished: true\n      envFrom: [{name: t, secretRef: {name: s, key: k}}]\n      requests:\n        - url: http://example.com/{{.data.project}}\n          method: POST\n          headers: [{key: X, value: '{{.env.t}}'}]\n          payload: '{\"a\": {{toJson .data}}}'\n          options: --insecure --max-time 5\n",
		"apiVersion: webhookconfig.keptn.sh/v1alpha1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests:\n        - \"curl -X POST -H 'Content-Type: application/json' -d '{\\\"x\\\":1}' https://example.com/{{.data.service}}\"\n",
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [{url: 'file:///etc/passwd'}]\n",
		"apiVersion: webhookconfig.keptn.sh/v1alpha1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [\"curl 'unterminated\"]\n",
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [{url: 'http://x/{{range 1000000000}}a{{end}}'}]\n",
	} {
		f.Add([]byte(seed))
	}
	data := map[string]any{"data": map[string]any{"project": "p", "service": "s"}, "env": map[string]any{"t": "v"}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseConfig(raw)
		if err != nil {
			return
		}
		for _, w := range c.Webhooks {
			for _, r := range w.Requests {
				if checkURL(r.URL) != nil {
					t.Fatalf("parsed a request with URL %q", r.URL)
				}
				renderRequest(r, data)
			}
		}
	})
}
