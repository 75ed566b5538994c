package keptnapi_test

import (
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// Typos in a shipyard are refused at upload with the line, and so is a
// triggeredOn that names no stage or sequence of the shipyard; nothing is
// created.
func TestShipyardTyposRefused(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	for name, c := range map[string]struct{ shipyard, msg string }{
		"task for tasks": {strings.Replace(shipyard, "          tasks:\n            - name: deployment\n              properties",
			"          task:\n            - name: deployment\n              properties", 1), `line 10: unknown key \"task\"`},
		"sequence key": {strings.Replace(shipyard, "triggeredOn:", "triggerOn:", 1), `line 18: unknown key \"triggerOn\"`},
		"top level":    {shipyard + "extra: 1\n", `unknown key \"extra\"`},
		"unknown stage": {strings.Replace(shipyard, "dev.delivery.finished", "qa.delivery.finished", 1),
			`names stage \"qa\", which the shipyard does not define`},
		"unknown sequence": {strings.Replace(shipyard, "dev.delivery.finished", "dev.hotfix.finished", 1),
			`names sequence \"hotfix\", which stage \"dev\" does not define`},
	} {
		t.Run(name, func(t *testing.T) {
			st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "p", "shipyard": b64s(c.shipyard)})
			if st != 400 || !strings.Contains(string(body), c.msg) {
				t.Errorf("got %d %s, want 400 mentioning %s", st, body, c.msg)
			}
		})
	}
	if _, body := in.Do("GET", "/api/controlPlane/v1/project", nil); !strings.Contains(string(body), `"totalCount":0`) {
		t.Errorf("a refused shipyard created a project: %s", body)
	}
}

// Typos in a webhook.yaml are refused with the line; a URL the SSRF guard
// will refuse is stored with a warning that names the allow-list flag.
func TestWebhookConfigTyposAndWarnings(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	createProject(t, in, "demo")
	const res = "/api/resource-service/v1/project/demo/resource"
	put := func(y string) (int, string) {
		st, body := in.Do("POST", res, map[string]any{"resources": []map[string]string{{"resourceURI": "webhook/webhook.yaml", "resourceContent": b64s(y)}}})
		return st, string(body)
	}
	head := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nmetadata:\n  name: webhook-configuration\nspec:\n  webhooks:\n"
	for _, c := range []struct{ yaml, msg string }{
		{head + "    - type: sh.keptn.event.deployment.triggered\n      requests:\n        - url: https://hooks.example.com/x\n          methd: POST\n",
			`line 10: unknown key \"methd\"`},
		{head + "    - type: sh.keptn.event.deployment.triggered\n      sendFinsihed: true\n      requests: [{url: https://hooks.example.com/x}]\n",
			`line 8: unknown key \"sendFinsihed\"`},
		{head + "    - type: a\n      requests:\n        - url: https://hooks.example.com/x\n          headers: [{key: a, vaule: b}]\n",
			`line 10: unknown key \"vaule\" (a header has key, value)`},
	} {
		if st, body := put(c.yaml); st != 400 || !strings.Contains(body, c.msg) {
			t.Errorf("got %d %s, want 400 mentioning %s", st, body, c.msg)
		}
	}

	st, body := put(head + "    - type: a\n      requests:\n        - url: http://169.254.169.254/latest\n        - url: https://hooks.example.com/x\n")
	if st != 201 || !strings.Contains(body, `"warnings":["webhook/webhook.yaml: webhooks[0].requests[0]: the SSRF guard will refuse calls to http://169.254.169.254/latest`) ||
		!strings.Contains(body, "--allow-webhook-target 169.254.169.254") || strings.Contains(body, "requests[1]") {
		t.Errorf("stored with a warning: %d %s", st, body)
	}
	if st, body := put(head + "    - type: a\n      requests: [{url: https://hooks.example.com/x}]\n"); st != 201 || strings.Contains(body, "warnings") {
		t.Errorf("a public target warned: %d %s", st, body)
	}
}
