package keptnapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/server"
)

func TestUniformRegistration(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	reg := map[string]any{
		"name": "echo-service",
		"metadata": map[string]any{"hostname": "node-1", "integrationversion": "1.0.0", "location": "remote-execution-plane",
			"kubernetesmetadata": map[string]any{"namespace": "keptn", "podname": "echo-1"}},
		"subscriptions": []map[string]any{{"event": "sh.keptn.event.echo.triggered", "filter": map[string]any{"projects": []string{"demo"}}}},
	}
	st, body := in.Do("POST", "/api/controlPlane/v1/uniform/registration", reg)
	if st != 201 {
		t.Fatalf("register: %d %s", st, body)
	}
	var r struct{ ID string }
	json.Unmarshal(body, &r)
	if want := keptn.IntegrationID("echo-service", "keptn", "node-1"); r.ID != want {
		t.Errorf("id = %s, want sha1(name-namespace-node) = %s", r.ID, want)
	}
	// Registering again with another subscription merges; nothing is lost.
	reg["subscriptions"] = []map[string]any{{"event": "sh.keptn.event.other.triggered"}}
	if st, body := in.Do("POST", "/api/controlPlane/v1/uniform/registration", reg); st != 200 || !strings.Contains(string(body), r.ID) {
		t.Fatalf("re-register: %d %s", st, body)
	}
	st, body = in.Do("PUT", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/ping", nil)
	var got keptn.Integration
	json.Unmarshal(body, &got)
	if st != 200 || len(got.Subscriptions) != 2 || got.Metadata.LastSeen.IsZero() {
		t.Fatalf("ping: %d %s", st, body)
	}
	// Subscription CRUD; ping returns the changes (how integrations learn them).
	st, body = in.Do("POST", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/subscription",
		map[string]any{"event": "sh.keptn.event.*.triggered", "filter": map[string]any{"projects": []string{"demo"}, "stages": []string{"dev"}, "services": []string{"web"}}})
	var sub struct{ ID string }
	json.Unmarshal(body, &sub)
	if st != 201 || sub.ID == "" {
		t.Fatalf("create subscription: %d %s", st, body)
	}
	if st, body := in.Do("PUT", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/subscription/"+sub.ID,
		map[string]any{"event": "sh.keptn.event.test.triggered"}); st != 201 {
		t.Fatalf("update subscription: %d %s", st, body)
	}
	if st, body := in.Do("GET", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/subscription/"+sub.ID, nil); st != 200 || !strings.Contains(string(body), "sh.keptn.event.test.triggered") {
		t.Fatalf("get subscription: %d %s", st, body)
	}
	if st, _ := in.Do("DELETE", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/subscription/"+sub.ID, nil); st != 200 {
		t.Fatalf("delete subscription: %d", st)
	}
	_, body = in.Do("PUT", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/ping", nil)
	json.Unmarshal(body, &got)
	if len(got.Subscriptions) != 2 {
		t.Errorf("after delete: %s", body)
	}
	// Filters on the list.
	if _, body := in.Do("GET", "/api/controlPlane/v1/uniform/registration?project=demo", nil); !strings.Contains(string(body), "echo-service") {
		t.Errorf("list by project: %s", body)
	}
	if _, body := in.Do("GET", "/api/controlPlane/v1/uniform/registration?name=nope", nil); strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("list by other name: %s", body)
	}
	// Bad input.
	for _, bad := range []map[string]any{
		{"metadata": map[string]any{}},
		{"name": "x", "subscriptions": []map[string]any{{"event": ""}}},
		{"name": "x", "subscriptions": []map[string]any{{"event": "a", "filter": map[string]any{"services": []string{"web"}}}}},
		{"name": "webhook-service", "subscriptions": []map[string]any{{"event": "a"}}},
	} {
		if st, body := in.Do("POST", "/api/controlPlane/v1/uniform/registration", bad); st != 400 {
			t.Errorf("bad registration %v: %d %s", bad, st, body)
		}
	}
	if st, _ := in.Do("PUT", "/api/controlPlane/v1/uniform/registration/nope/ping", nil); st != 404 {
		t.Errorf("ping unknown: %d", st)
	}
	if st, _ := in.Do("DELETE", "/api/controlPlane/v1/uniform/registration/"+r.ID, nil); st != 200 {
		t.Errorf("unregister: %d", st)
	}
	if st, _ := in.Do("PUT", "/api/controlPlane/v1/uniform/registration/"+r.ID+"/ping", nil); st != 404 {
		t.Errorf("ping after unregister: %d", st)
	}
}

func TestTypeMatches(t *testing.T) {
	cases := []struct {
		pattern, typ string
		want         bool
	}{
		{"sh.keptn.event.deployment.triggered", "sh.keptn.event.deployment.triggered", true},
		{"sh.keptn.event.*.triggered", "sh.keptn.event.test.triggered", true},
		{"sh.keptn.event.*.triggered", "sh.keptn.event.test.finished", false},
		{"sh.keptn.event.>", "sh.keptn.event.dev.delivery.triggered", true},
		{"sh.keptn.>", "sh.keptn", false},
		{"sh.keptn.event.*", "sh.keptn.event.a.b", false},
	}
	for _, c := range cases {
		if got := keptn.TypeMatches(c.pattern, c.typ); got != c.want {
			t.Errorf("TypeMatches(%q, %q) = %v", c.pattern, c.typ, got)
		}
	}
}
