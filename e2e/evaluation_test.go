package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const evalShipyard = "apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: staging\n"

const evalSLO = `objectives:
  - sli: response_time_p95
    displayName: Response time
    key_sli: true
    pass:
      - criteria: ["<600"]
total_score:
  pass: "90%"
`

// setUpEvaluation creates project demo with service web and an SLO in
// staging, and makes provider the project's SLI provider.
func setUpEvaluation(t *testing.T, base, provider string) {
	t.Helper()
	for _, r := range [][3]string{
		{"POST", "/api/controlPlane/v1/project", `{"name":"demo","shipyard":"` + base64.StdEncoding.EncodeToString([]byte(evalShipyard)) + `"}`},
		{"POST", "/api/controlPlane/v1/project/demo/service", `{"serviceName":"web"}`},
		{"POST", "/api/resource-service/v1/project/demo/stage/staging/service/web/resource",
			`{"resources":[{"resourceURI":"slo.yaml","resourceContent":"` + base64.StdEncoding.EncodeToString([]byte(evalSLO)) + `"}]}`},
		{"PUT", "/api/controlPlane/v1/project/demo/monitoring", `{"sliProvider":"` + provider + `"}`},
	} {
		if st, b := do(t, base, r[0], r[1], r[2]); st != 200 && st != 201 {
			t.Fatalf("%s %s: %d %s", r[0], r[1], st, b)
		}
	}
}

// TestCLIEvaluation drives the quality gate with the baton CLI: configure
// monitoring, trigger evaluation --watch, get evaluations and monitoring.
func TestCLIEvaluation(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	setUpEvaluation(t, in.URL, "none-yet")
	c := newCLI(t)
	c.env = append(c.env, "BATON_ENDPOINT="+in.URL, "BATON_TOKEN="+in.Token)
	if out := c.ok("configure", "monitoring", "my-provider", "--project", "demo", "--service", "web"); !strings.Contains(out, "my-provider") {
		t.Errorf("configure monitoring: %s", out)
	}
	if out := c.ok("get", "monitoring", "--project", "demo"); !strings.Contains(out, "SLI provider my-provider") {
		t.Errorf("get monitoring: %s", out)
	}
	batontest.RunExecutor(t, in.URL, in.Token, "demo", map[string]batontest.Answer{
		"get-sli": func(ev batontest.TriggeredEvent) map[string]any {
			return map[string]any{"get-sli": map[string]any{"indicatorValues": []map[string]any{{"metric": "response_time_p95", "value": 420, "success": true}}}}
		},
	})
	out := c.ok("trigger", "evaluation", "--project", "demo", "--stage", "staging", "--service", "web", "--timeframe", "10m", "--labels", "build=7", "--watch")
	for _, want := range []string{"keptnContext", "evaluation.finished", "Sequence", "finished", "pass", "100.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("trigger evaluation --watch: no %q in\n%s", want, out)
		}
	}
	out = c.ok("get", "evaluations", "--project", "demo", "--details")
	if !strings.Contains(out, "Response time (key)") || !strings.Contains(out, "420") {
		t.Errorf("get evaluations --details:\n%s", out)
	}
	c.fails("stage not found", "trigger", "evaluation", "--project", "demo", "--stage", "prod", "--service", "web")
	c.fails("cannot be set together", "trigger", "evaluation", "--project", "demo", "--stage", "staging", "--service", "web", "--timeframe", "5m", "--end", "2021-01-02T15:00:00")
	c.fails("--labels", "trigger", "evaluation", "--project", "demo", "--stage", "staging", "--service", "web", "--labels", "oops")
}

// openGetSLI waits for the project's open get-sli.triggered event.
func openGetSLI(t *testing.T, base string) (id, kc string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, b := do(t, base, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.get-sli.triggered?project=demo&wait=2s", "")
		var page struct {
			Events []struct {
				ID             string `json:"id"`
				Shkeptncontext string `json:"shkeptncontext"`
			}
		}
		json.Unmarshal(b, &page)
		if len(page.Events) == 1 {
			return page.Events[0].ID, page.Events[0].Shkeptncontext
		}
	}
	t.Fatal("no open get-sli.triggered")
	return "", ""
}

// contextEvents returns the context's events of a type.
func contextEvents(t *testing.T, base, kc, typ string) []json.RawMessage {
	t.Helper()
	_, b := do(t, base, "GET", "/api/mongodb-datastore/event?keptnContext="+kc+"&type="+url.QueryEscape(typ), "")
	var page struct{ Events []json.RawMessage }
	json.Unmarshal(b, &page)
	return page.Events
}

// TestKillWhileEvaluationWaitsForSLIs kills baton (SIGKILL) while an
// evaluation waits for its SLI provider, and again right after the provider
// answered; after each restart the evaluation goes on and finishes exactly
// once, whatever the provider sends twice.
func TestKillWhileEvaluationWaitsForSLIs(t *testing.T) {
	dir := t.TempDir()
	p := batontest.StartProcess(t, dir)
	setUpEvaluation(t, p.URL, "remote-provider")
	st, b := do(t, p.URL, "POST", "/api/controlPlane/v1/project/demo/stage/staging/service/web/evaluation", `{"timeframe":"5m"}`)
	if st != 200 {
		t.Fatalf("trigger: %d %s", st, b)
	}
	id, kc := openGetSLI(t, p.URL)
	p.Kill()

	p = batontest.StartProcessAt(t, dir, p.Addr)
	if got, _ := openGetSLI(t, p.URL); got != id {
		t.Fatalf("after restart the open get-sli.triggered is %s, want %s", got, id)
	}
	if n := len(contextEvents(t, p.URL, kc, "sh.keptn.event.evaluation.finished")); n != 0 {
		t.Fatalf("%d evaluation.finished before the provider answered", n)
	}
	finished := `{"type":"sh.keptn.event.get-sli.finished","source":"remote-provider","shkeptncontext":"` + kc + `","triggeredid":"` + id +
		`","data":{"project":"demo","stage":"staging","service":"web","result":"pass","status":"succeeded",` +
		`"get-sli":{"indicatorValues":[{"metric":"response_time_p95","value":250,"success":true}]}}}`
	for range 2 { // the provider's answer arrives twice
		if st, b := do(t, p.URL, "POST", "/api/v1/event", finished); st != 200 {
			t.Fatalf("get-sli.finished: %d %s", st, b)
		}
	}
	p.Kill() // possibly before the answer was scored

	p = batontest.StartProcessAt(t, dir, p.Addr)
	deadline := time.Now().Add(20 * time.Second)
	for len(contextEvents(t, p.URL, kc, "sh.keptn.event.staging.evaluation.finished")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("evaluation did not finish after restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	fins := contextEvents(t, p.URL, kc, "sh.keptn.event.evaluation.finished")
	if len(fins) != 1 || !strings.Contains(string(fins[0]), `"result":"pass"`) || !strings.Contains(string(fins[0]), `"value":250`) {
		t.Fatalf("want exactly one passing evaluation.finished, got %d: %s", len(fins), fins)
	}
	if n := len(contextEvents(t, p.URL, kc, "sh.keptn.event.staging.evaluation.finished")); n != 1 {
		t.Errorf("%d sequence .finished events, want 1", n)
	}
	_, b = do(t, p.URL, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.get-sli.triggered?project=demo", "")
	if !strings.Contains(string(b), `"events":[]`) {
		t.Errorf("get-sli.triggered still open: %s", b)
	}
}
