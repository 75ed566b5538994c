package keptnapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const appRunnerEvent = `{"specversion":"1.0","contenttype":"application/json","data":{"project":"demo","service":"web","stage":"dev"},"type":"sh.keptn.event.dev.delivery.triggered","source":"aws-app-runner"}`

func TestAuth(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	if st, body := in.Do("POST", "/api/v1/auth", nil); st != 200 || len(body) != 0 {
		t.Fatalf("valid token: got %d %q, want 200 and an empty body", st, body)
	}
	st, body := in.DoWith("POST", "/api/v1/auth", nil, map[string]string{"x-token": "wrong"})
	if st != 401 || !strings.Contains(string(body), `"code":401`) {
		t.Fatalf("wrong token: got %d %s", st, body)
	}
	// Burst of 2, then 429, until a valid token resets the bucket.
	in.DoWith("POST", "/api/v1/auth", nil, map[string]string{"x-token": "wrong"})
	st, body = in.DoWith("POST", "/api/v1/auth", nil, map[string]string{"x-token": "wrong"})
	if st != 429 || !strings.Contains(string(body), `"code":429`) {
		t.Fatalf("after repeated failures: got %d %s, want 429", st, body)
	}
	if st, _ := in.Do("POST", "/api/v1/auth", nil); st != 200 {
		t.Fatalf("valid token after 429: got %d", st)
	}
	if st, _ := in.DoWith("POST", "/api/v1/auth", nil, map[string]string{"x-token": "wrong"}); st != 401 {
		t.Fatalf("failure after reset: got %d, want 401", st)
	}
	for _, path := range []string{"/api/v1/metadata", "/api/mongodb-datastore/event", "/metrics"} {
		if st, _ := in.DoWith("GET", path, nil, nil); st != 401 {
			t.Errorf("GET %s without token: got %d, want 401", path, st)
		}
	}
	if st, body := in.DoWith("GET", "/healthz", nil, nil); st != 200 {
		t.Errorf("healthz without token: got %d %s", st, body)
	}
	// Authorization: Bearer works too (Prometheus scrapes).
	if st, _ := in.DoWith("GET", "/metrics", nil, map[string]string{"Authorization": "Bearer " + in.Token}); st != 200 {
		t.Errorf("metrics with bearer token: got %d", st)
	}
}

func TestMetadata(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("GET", "/api/v1/metadata", nil)
	if st != 200 {
		t.Fatalf("got %d %s", st, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if v, _ := m["keptnversion"].(string); !strings.HasPrefix(v, "1.") {
		t.Errorf("keptnversion = %q, want 1.x", v)
	}
	if m["shipyardversion"] != "0.2.0" || m["keptnlabel"] != "keptn" {
		t.Errorf("metadata = %s", body)
	}
}

func TestPostEventAppRunnerCurl(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("POST", "/api/v1/event", appRunnerEvent)
	if st != 200 {
		t.Fatalf("got %d %s", st, body)
	}
	var resp struct{ KeptnContext string }
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(resp.KeptnContext); err != nil {
		t.Fatalf("keptnContext %q is not a UUID", resp.KeptnContext)
	}
	st, body = in.Do("GET", "/api/mongodb-datastore/event?keptnContext="+resp.KeptnContext, nil)
	if st != 200 {
		t.Fatalf("datastore: %d %s", st, body)
	}
	var page struct {
		Events     []map[string]any
		TotalCount int
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount < 1 {
		t.Fatalf("stored event not found: %s", body)
	}
	ev := page.Events[len(page.Events)-1]
	if ev["type"] != "sh.keptn.event.dev.delivery.triggered" || ev["source"] != "aws-app-runner" ||
		ev["shkeptncontext"] != resp.KeptnContext || ev["contenttype"] != "application/json" || ev["specversion"] != "1.0" {
		t.Errorf("stored event = %v", ev)
	}
	if id, _ := ev["id"].(string); id == "" {
		t.Errorf("server did not set an id: %v", ev)
	}
	if tm, _ := ev["time"].(string); !strings.HasSuffix(tm, "Z") {
		t.Errorf("time %q is not UTC", tm)
	}
}

func TestPostEventContext(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	post := func(ctx string) string {
		t.Helper()
		ev := map[string]any{"type": "sh.keptn.event.x.triggered", "source": "test", "data": map[string]any{}, "shkeptncontext": ctx}
		st, body := in.Do("POST", "/api/v1/event", ev)
		if st != 200 {
			t.Fatalf("got %d %s", st, body)
		}
		var resp struct{ KeptnContext string }
		json.Unmarshal(body, &resp)
		return resp.KeptnContext
	}
	given := "1b0a2ae4-6a5b-4b5c-9c5e-0c5b2f3b1a11"
	if got := post(given); got != given {
		t.Errorf("UUID context: got %s, want it kept", got)
	}
	a, b := post("my-build-42"), post("my-build-42")
	if a != b {
		t.Errorf("derived contexts differ: %s vs %s", a, b)
	}
	if _, err := uuid.Parse(a); err != nil {
		t.Errorf("derived context %q is not a UUID", a)
	}
	long1, long2 := post("a-context-string-longer-than-16"), post("a-context-string-longer-than-16-x")
	if long1 == long2 {
		t.Errorf("different long strings derived the same context")
	}
}

func TestPostEventBadInput(t *testing.T) {
	in := batontest.Start(t, server.Config{MaxBody: 4096})
	cases := []struct {
		name   string
		body   string
		ctype  string
		status int
		msg    string
	}{
		{"malformed", `{"type":`, "application/json", 400, "malformed JSON"},
		{"trailing", `{"type":"a","source":"b","data":{}} {}`, "application/json", 400, "malformed JSON"},
		{"no type", `{"source":"s","data":{}}`, "application/json", 400, "type is required"},
		{"no source", `{"type":"t","data":{}}`, "application/json", 400, "source is required"},
		{"no data", `{"type":"t","source":"s"}`, "application/json", 400, "data is required"},
		{"data not object", `{"type":"t","source":"s","data":[1]}`, "application/json", 400, "data must be a JSON object"},
		{"wrong field type", `{"type":1,"source":"s","data":{}}`, "application/json", 400, "malformed JSON"},
		{"too large", `{"type":"t","source":"s","data":{"x":"` + strings.Repeat("a", 5000) + `"}}`, "application/json", 413, "larger than 4096"},
		{"content type", `{}`, "text/plain", 415, "content type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := in.DoWith("POST", "/api/v1/event", c.body, map[string]string{"x-token": in.Token, "Content-Type": c.ctype})
			if st != c.status || !strings.Contains(string(body), c.msg) || !strings.Contains(string(body), `"code":`) {
				t.Errorf("got %d %s, want %d containing %q", st, body, c.status, c.msg)
			}
		})
	}
	// Nothing was stored.
	_, body := in.Do("GET", "/api/mongodb-datastore/event", nil)
	if !strings.Contains(string(body), `"totalCount":0`) {
		t.Errorf("bad input changed the store: %s", body)
	}
}

func TestStrictEvents(t *testing.T) {
	in := batontest.Start(t, server.Config{StrictEvents: true})
	cases := []struct {
		ev     string
		status int
	}{
		{appRunnerEvent, 200},
		{`{"type":"sh.keptn.event.dev.delivery.triggered","source":"s","data":{"project":"demo","stage":"prod","service":"web"}}`, 400},
		{`{"type":"sh.keptn.event.deployment.finished","source":"s","triggeredid":"x","data":{"project":"p","stage":"s","service":"v"}}`, 400},
		{`{"type":"sh.keptn.event.deployment.finished","source":"s","triggeredid":"x","data":{"project":"p","stage":"s","service":"v","result":"pass","status":"succeeded"}}`, 200},
		{`{"type":"sh.keptn.event.deployment.started","source":"s","data":{"project":"p","stage":"s","service":"v"}}`, 400},
		{`{"type":"com.example.other","source":"s","data":{}}`, 400},
	}
	for i, c := range cases {
		if st, body := in.Do("POST", "/api/v1/event", c.ev); st != c.status {
			t.Errorf("case %d: got %d %s, want %d", i, st, body, c.status)
		}
	}
}

func TestNotFoundRoute(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("GET", "/api/nothing-here", nil)
	if st != http.StatusNotFound || !strings.Contains(string(body), `"code":404`) {
		t.Errorf("got %d %s", st, body)
	}
}
