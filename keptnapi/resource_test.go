package keptnapi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

type writeResp struct {
	CommitID string `json:"commitID"`
	Metadata struct {
		Branch  string `json:"branch"`
		Version string `json:"version"`
	} `json:"metadata"`
}

type resourceResp struct {
	ResourceURI     string `json:"resourceURI"`
	ResourceContent string `json:"resourceContent"`
	Metadata        struct {
		Version string `json:"version"`
	} `json:"metadata"`
}

func TestResources(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	createProject(t, in, "demo")
	in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})
	const svc = "/api/resource-service/v1/project/demo/stage/dev/service/web/resource"

	webhook := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\n"
	st, body := in.Do("POST", svc, map[string]any{"resources": []map[string]string{
		{"resourceURI": "webhook/webhook.yaml", "resourceContent": b64s(webhook)},
		{"resourceURI": "helm/values.yaml", "resourceContent": b64s("image: web:1\n")},
	}})
	if st != 201 {
		t.Fatalf("post resources: %d %s", st, body)
	}
	first := decode[writeResp](t, body)
	if len(first.CommitID) != 40 || first.Metadata.Version != first.CommitID || first.Metadata.Branch != "dev" {
		t.Errorf("write response = %s", body)
	}

	// The URI is one URL-encoded segment, as go-utils sends it; plain slashes work too.
	for _, uri := range []string{"webhook%2Fwebhook.yaml", "webhook/webhook.yaml"} {
		st, body = in.Do("GET", svc+"/"+uri, nil)
		r := decode[resourceResp](t, body)
		if st != 200 || r.ResourceURI != "webhook/webhook.yaml" || r.ResourceContent != b64s(webhook) {
			t.Errorf("get %s: %d %s", uri, st, body)
		}
	}
	// The configuration-service alias serves the same store.
	if st, body := in.Do("GET", "/api/configuration-service/v1/project/demo/stage/dev/service/web/resource/helm%2Fvalues.yaml", nil); st != 200 || !strings.Contains(string(body), b64s("image: web:1\n")) {
		t.Errorf("alias: %d %s", st, body)
	}

	// PUT a new version; the old one stays readable at its revision.
	st, body = in.Do("PUT", svc+"/helm%2Fvalues.yaml", map[string]string{"resourceContent": b64s("image: web:2\n")})
	if st != 200 {
		t.Fatalf("put: %d %s", st, body)
	}
	second := decode[writeResp](t, body)
	_, body = in.Do("GET", svc+"/helm%2Fvalues.yaml", nil)
	if r := decode[resourceResp](t, body); r.ResourceContent != b64s("image: web:2\n") || r.Metadata.Version != second.CommitID {
		t.Errorf("latest = %s", body)
	}
	_, body = in.Do("GET", svc+"/helm%2Fvalues.yaml?gitCommitID="+first.CommitID, nil)
	if r := decode[resourceResp](t, body); r.ResourceContent != b64s("image: web:1\n") {
		t.Errorf("at first revision = %s", body)
	}

	// List.
	st, body = in.Do("GET", svc, nil)
	if st != 200 || !strings.Contains(string(body), `"totalCount":2`) {
		t.Errorf("list: %d %s", st, body)
	}

	// Delete, then 404; the deleted version is still in history.
	if st, body := in.Do("DELETE", svc+"/helm%2Fvalues.yaml", nil); st != 200 {
		t.Errorf("delete: %d %s", st, body)
	}
	if st, _ := in.Do("GET", svc+"/helm%2Fvalues.yaml", nil); st != 404 {
		t.Errorf("deleted resource: %d", st)
	}
	if st, _ := in.Do("GET", svc+"/helm%2Fvalues.yaml?gitCommitID="+second.CommitID, nil); st != 200 {
		t.Errorf("history after delete: %d", st)
	}

	// Project and stage levels.
	if st, body := in.Do("PUT", "/api/resource-service/v1/project/demo/stage/dev/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": "slo.yaml", "resourceContent": b64s("spec_version: 1.0\ntotal_score: {pass: 90%}")}}}); st != 200 {
		t.Errorf("stage put: %d %s", st, body)
	}
}

func TestResourceErrors(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	createProject(t, in, "demo")
	const proj = "/api/resource-service/v1/project/demo/resource"
	cases := []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/resource-service/v1/project/nope/resource", nil, 404},
		{"GET", "/api/resource-service/v1/project/demo/stage/prod/resource", nil, 404},
		{"GET", "/api/resource-service/v1/project/demo/stage/dev/service/nope/resource", nil, 404},
		{"GET", proj + "/missing.yaml", nil, 404},
		{"POST", proj, map[string]any{"resources": []map[string]string{{"resourceURI": "a.yaml", "resourceContent": "!!!"}}}, 400},
		{"POST", proj, map[string]any{"resources": []map[string]string{{"resourceURI": "../etc/passwd", "resourceContent": b64s("x")}}}, 400},
		{"POST", proj, map[string]any{"resources": []map[string]string{{"resourceURI": "~/x", "resourceContent": b64s("x")}}}, 400},
		{"POST", proj, map[string]any{"resources": []map[string]string{}}, 400},
		{"PUT", proj + "/shipyard.yaml", map[string]string{"resourceContent": b64s("kind: nope")}, 400},
		{"DELETE", proj + "/shipyard.yaml", nil, 400},
		{"POST", proj, `{"resources":`, 400},
	}
	for _, c := range cases {
		if st, body := in.Do(c.method, c.path, c.body); st != c.status || !strings.Contains(string(body), `"code"`) {
			t.Errorf("%s %s: got %d %s, want %d", c.method, c.path, st, body, c.status)
		}
	}
	// A valid shipyard.yaml written as a resource updates the project's stages.
	newShipyard := strings.Replace(shipyard, "name: staging", "name: production", 1)
	newShipyard = strings.Replace(newShipyard, "dev.delivery.finished", "dev.delivery.finished", 1)
	if st, body := in.Do("PUT", proj+"/shipyard.yaml", map[string]string{"resourceContent": b64s(newShipyard)}); st != 200 {
		t.Fatalf("put shipyard: %d %s", st, body)
	}
	_, body := in.Do("GET", "/api/controlPlane/v1/project/demo", nil)
	if !strings.Contains(string(body), `"stageName":"production"`) {
		t.Errorf("stages not updated: %s", body)
	}
}

func TestSecrets(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("POST", "/api/secrets/v1/secret", map[string]any{"name": "api-creds", "scope": "keptn-webhook-service",
		"data": map[string]string{"token": "TOPSECRETVALUE", "user": "bot"}})
	if st != 201 || strings.Contains(string(body), "TOPSECRETVALUE") {
		t.Fatalf("create: %d %s", st, body)
	}
	if st, _ := in.Do("POST", "/api/secrets/v1/secret", map[string]any{"name": "api-creds", "scope": "keptn-webhook-service", "data": map[string]string{"a": "b"}}); st != 409 {
		t.Errorf("duplicate: %d", st)
	}
	st, body = in.Do("GET", "/api/secrets/v1/secret", nil)
	if st != 200 || !strings.Contains(string(body), `"Secrets":[{"name":"api-creds","scope":"keptn-webhook-service","keys":["token","user"]}]`) {
		t.Errorf("list: %d %s", st, body)
	}
	if strings.Contains(string(body), "TOPSECRETVALUE") {
		t.Fatalf("list leaked a value: %s", body)
	}
	if st, body := in.Do("PUT", "/api/secrets/v1/secret", map[string]any{"name": "api-creds", "scope": "keptn-webhook-service", "data": map[string]string{"token": "NEWVALUE"}}); st != 200 || !strings.Contains(string(body), `"keys":["token"]`) {
		t.Errorf("update: %d %s", st, body)
	}
	if st, _ := in.Do("PUT", "/api/secrets/v1/secret", map[string]any{"name": "nope", "data": map[string]string{"a": "b"}}); st != 404 {
		t.Errorf("update missing: %d", st)
	}
	for _, bad := range []map[string]any{
		{"name": "Bad_Name", "data": map[string]string{"a": "b"}},
		{"name": "ok", "scope": "no-such-scope", "data": map[string]string{"a": "b"}},
		{"name": "ok", "data": map[string]string{}},
		{"name": "ok", "data": map[string]string{"bad key": "b"}},
	} {
		if st, body := in.Do("POST", "/api/secrets/v1/secret", bad); st != 400 {
			t.Errorf("bad secret %v: %d %s", bad, st, body)
		}
	}
	if st, body := in.Do("GET", "/api/secrets/v1/scope", nil); st != 200 || !strings.Contains(string(body), "keptn-webhook-service") {
		t.Errorf("scopes: %d %s", st, body)
	}
	// Sealed at rest: the value is not in the database files.
	for _, f := range []string{"baton.db", "baton.db-wal"} {
		b, err := os.ReadFile(filepath.Join(in.DataDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("TOPSECRETVALUE")) || bytes.Contains(b, []byte("NEWVALUE")) {
			t.Errorf("secret value stored in clear in %s", f)
		}
	}
	if st, _ := in.Do("DELETE", "/api/secrets/v1/secret?name=api-creds&scope=keptn-webhook-service", nil); st != 200 {
		t.Errorf("delete: %d", st)
	}
	if st, _ := in.Do("DELETE", "/api/secrets/v1/secret?name=api-creds&scope=keptn-webhook-service", nil); st != 404 {
		t.Errorf("delete again: %d", st)
	}
}
