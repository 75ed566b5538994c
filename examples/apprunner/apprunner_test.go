package apprunner_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/examples/apprunner"
	"github.com/batonhq/baton/server"
)

type event struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// TestThreeStyles runs the README walkthrough: the service triggers a
// sequence (style 3); its deployment task is fire-and-wait (style 2) and its
// release task fire-and-forget (style 1), with the deployment's custom data
// reaching the release task.
func TestThreeStyles(t *testing.T) {
	in := batontest.Start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	svc := &apprunner.Service{Baton: in.URL, Token: in.Token, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var mu sync.Mutex
	var gotDeploy []string
	rec := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/deploy" {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			gotDeploy = append(gotDeploy, string(b))
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		svc.Handler().ServeHTTP(w, r)
	})
	ar := httptest.NewServer(rec)
	defer ar.Close()
	defer svc.Wait()

	shipyard, _ := os.ReadFile("shipyard.yaml")
	hooks, _ := os.ReadFile("webhook.yaml")
	hooks = bytes.ReplaceAll(hooks, []byte("http://127.0.0.1:9000"), []byte(ar.URL))
	if st, b := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": base64.StdEncoding.EncodeToString(shipyard)}); st != 201 {
		t.Fatalf("project: %d %s", st, b)
	}
	if st, b := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"}); st != 200 {
		t.Fatalf("service: %d %s", st, b)
	}
	if st, b := in.Do("POST", "/api/resource-service/v1/project/demo/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString(hooks)}}}); st != 201 {
		t.Fatalf("webhook.yaml: %d %s", st, b)
	}

	// Style 3: the service triggers the sequence.
	resp, err := http.Post(ar.URL+"/notify-deployed", "application/json",
		strings.NewReader(`{"project":"demo","stage":"dev","sequence":"delivery","service":"web","image":"web:2"}`))
	if err != nil {
		t.Fatal(err)
	}
	var trig struct{ KeptnContext string }
	json.NewDecoder(resp.Body).Decode(&trig)
	resp.Body.Close()
	if resp.StatusCode != 200 || trig.KeptnContext == "" {
		t.Fatalf("notify-deployed: %d", resp.StatusCode)
	}

	events := func(typ string) []event {
		_, b := in.Do("GET", "/api/mongodb-datastore/event?pageSize=100&keptnContext="+trig.KeptnContext+"&type="+url.QueryEscape(typ), nil)
		var p struct{ Events []event }
		json.Unmarshal(b, &p)
		return p.Events
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(events("sh.keptn.event.dev.delivery.finished")) == 0 {
		if time.Now().After(deadline) {
			_, b := in.Do("GET", "/api/mongodb-datastore/event?pageSize=100&keptnContext="+trig.KeptnContext, nil)
			t.Fatalf("sequence did not finish; events: %s", b)
		}
		time.Sleep(20 * time.Millisecond) // polling the history with a deadline
	}
	fin := events("sh.keptn.event.dev.delivery.finished")[0]
	if fin.Data["result"] != "pass" || fin.Data["status"] != "succeeded" {
		t.Errorf("sequence finished with %v", fin.Data)
	}
	// Style 2: progress and the service's own result were recorded.
	if n := len(events("sh.keptn.event.deployment.status.changed")); n != 1 {
		t.Errorf("%d status.changed events", n)
	}
	depFin := events("sh.keptn.event.deployment.finished")
	if len(depFin) != 1 || depFin[0].Data["deployment"].(map[string]any)["serviceUrl"] != "https://web.example.awsapprunner.com" {
		t.Errorf("deployment.finished = %+v", depFin)
	}
	// The service's custom data flowed into the next task's payload …
	rel := events("sh.keptn.event.release.triggered")
	if len(rel) != 1 || rel[0].Data["deployment"].(map[string]any)["serviceUrl"] != "https://web.example.awsapprunner.com" {
		t.Fatalf("release.triggered = %+v", rel)
	}
	// … and into the fire-and-forget call (style 1), whose answer baton reported.
	mu.Lock()
	defer mu.Unlock()
	if len(gotDeploy) != 1 || !strings.Contains(gotDeploy[0], `"url":"https://web.example.awsapprunner.com"`) {
		t.Errorf("/deploy got %q", gotDeploy)
	}
	relFin := events("sh.keptn.event.release.finished")
	if len(relFin) != 1 || relFin[0].Data["result"] != "pass" {
		t.Fatalf("release.finished = %+v", relFin)
	}
	r0 := relFin[0].Data["release"].(map[string]any)["responses"].([]any)[0].(map[string]any)
	if r0["status"] != "RUNNING" {
		t.Errorf("responses = %v", r0)
	}
	if svc.Deployed("web") != "web:2" {
		t.Errorf("deployed image = %q", svc.Deployed("web"))
	}
}
