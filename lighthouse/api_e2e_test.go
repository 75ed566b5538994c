package lighthouse_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/server"
)

// TestTriggerEvaluationAsKeptnCLI follows `keptn trigger evaluation` and
// `keptn get event evaluation.finished`: Keptn's refusals for unknown
// project, stage and service and bad timeframes, then an evaluation whose
// result is read back from the datastore.
func TestTriggerEvaluationAsKeptnCLI(t *testing.T) {
	g := newGate(t, server.Config{})
	g.rt.Store(300)
	base := "/api/controlPlane/v1/project/"
	for path, want := range map[string]string{
		"nope/stage/dev/service/carts/evaluation":  "project not found",
		"shop/stage/nope/service/carts/evaluation": "stage not found",
		"shop/stage/dev/service/nope/evaluation":   "service not found",
	} {
		st, b := g.in.Do("POST", base+path, map[string]any{"timeframe": "5m"})
		if st != 400 || !strings.Contains(string(b), want) || !strings.Contains(string(b), `"code":400`) {
			t.Errorf("%s: %d %s, want 400 saying %q", path, st, b, want)
		}
	}
	for body, want := range map[string]string{
		`{"timeframe":"5m","end":"2021-01-02T15:10:00"}`:              "cannot be set together",
		`{"start":"2021-01-02T15:00:00"}`:                             "need to be specified",
		`{"timeframe":"five minutes"}`:                                "could not parse provided timeframe",
		`{"start":"2021-01-02T15:00:00","end":"2021-01-02T15:00:30"}`: "at least 1 minute",
		`{"labels":"x"}`: "malformed JSON",
	} {
		st, b := g.in.Do("POST", base+"shop/stage/dev/service/carts/evaluation", body)
		if st != 400 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %s, want 400 saying %q", body, st, b, want)
		}
	}
	b := g.must(200, "POST", base+"shop/stage/dev/service/carts/evaluation",
		map[string]any{"start": "2021-01-02T15:00:00", "end": "2021-01-02T15:10:00", "labels": map[string]string{"buildId": "42"}, "gitcommitid": "abc123"})
	var kc struct{ KeptnContext string }
	if err := json.Unmarshal(b, &kc); err != nil || kc.KeptnContext == "" {
		t.Fatalf("trigger: %s", b)
	}
	tr := g.wait(kc.KeptnContext, "sh.keptn.event.dev.evaluation.triggered")
	if tr.Source != "https://github.com/keptn/keptn/api" || tr.GitCommitID != "abc123" ||
		!strings.Contains(string(tr.Data), `"evaluation":{"end":"2021-01-02T15:10:00.000Z","start":"2021-01-02T15:00:00.000Z"}`) {
		t.Errorf("evaluation.triggered: %+v %s", tr, tr.Data)
	}
	fin := g.wait(kc.KeptnContext, "sh.keptn.event.evaluation.finished")
	ev := decodeEval(t, fin.Data)
	if ev.Result != "pass" || ev.Labels["buildId"] != "42" || fin.GitCommitID != "abc123" ||
		ev.Evaluation.TimeStart != "2021-01-02T15:00:00.000Z" || ev.Evaluation.TimeEnd != "2021-01-02T15:10:00.000Z" {
		t.Errorf("evaluation.finished: %+v gitcommitid %q", ev, fin.GitCommitID)
	}
	// The datastore's type endpoint, as the Bridge and lighthouse itself query it.
	b = g.must(200, "GET", "/api/mongodb-datastore/event/type/sh.keptn.event.evaluation.finished?excludeInvalidated=true&filter="+
		url.QueryEscape("data.project:shop AND data.stage:dev AND data.service:carts AND shkeptncontext:"+kc.KeptnContext), nil)
	var byType struct{ Events []ce }
	if err := json.Unmarshal(b, &byType); err != nil || len(byType.Events) != 1 || byType.Events[0].ID != fin.ID {
		t.Errorf("type endpoint: %s", b)
	}
	seq := g.wait(kc.KeptnContext, "sh.keptn.event.dev.evaluation.finished")
	if !strings.Contains(string(seq.Data), `"result":"pass"`) {
		t.Errorf("built-in evaluation sequence: %s", seq.Data)
	}
}

func (g *gate) evaluate() string {
	g.t.Helper()
	b := g.must(200, "POST", "/api/controlPlane/v1/project/shop/stage/dev/service/carts/evaluation", map[string]any{"timeframe": "5m"})
	var kc struct{ KeptnContext string }
	json.Unmarshal(b, &kc)
	return kc.KeptnContext
}

// TestInvalidatedEvaluationIsNotCompared sends evaluation.invalidated as
// Keptn 1.4.5's own test does (the evaluation's triggeredid): the next
// evaluation compares with the one before it instead.
func TestInvalidatedEvaluationIsNotCompared(t *testing.T) {
	g := newGate(t, server.Config{})
	g.rt.Store(100)
	first := g.wait(g.evaluate(), "sh.keptn.event.evaluation.finished")
	second := g.wait(g.evaluate(), "sh.keptn.event.evaluation.finished")
	if ev := decodeEval(t, second.Data); len(ev.Evaluation.ComparedEvents) != 1 || ev.Evaluation.ComparedEvents[0] != first.ID {
		t.Fatalf("second compared with %v, want [%s]", ev.Evaluation.ComparedEvents, first.ID)
	}
	g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.evaluation.invalidated", "source": "golang-test",
		"shkeptncontext": second.Shkeptncontext, "triggeredid": second.TriggeredID,
		"data": map[string]any{"project": "shop", "stage": "dev", "service": "carts"}})
	third := g.wait(g.evaluate(), "sh.keptn.event.evaluation.finished")
	if ev := decodeEval(t, third.Data); len(ev.Evaluation.ComparedEvents) != 1 || ev.Evaluation.ComparedEvents[0] != first.ID {
		t.Errorf("third compared with %v, want [%s] (the second was invalidated)", ev.Evaluation.ComparedEvents, first.ID)
	}
}

// TestEvaluationWithoutSLOOrProvider checks the evaluations that pass
// without evaluating, with Keptn's messages.
func TestEvaluationWithoutSLOOrProvider(t *testing.T) {
	g := newGate(t, server.Config{})
	g.must(200, "DELETE", "/api/controlPlane/v1/project/shop/monitoring", nil)
	ev := decodeEval(t, g.wait(g.evaluate(), "sh.keptn.event.evaluation.finished").Data)
	if ev.Result != "pass" || ev.Message != "no evaluation performed by lighthouse because no SLI-provider configured for project shop" {
		t.Errorf("no provider: %+v", ev)
	}
	g.must(200, "DELETE", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource/slo.yaml", nil)
	ev = decodeEval(t, g.wait(g.evaluate(), "sh.keptn.event.evaluation.finished").Data)
	if ev.Result != "pass" || ev.Evaluation.Result != "pass" || ev.Evaluation.Score != 0 || ev.Evaluation.IndicatorResults != nil ||
		ev.Message != "no evaluation performed by lighthouse because no SLO file configured for project shop" {
		t.Errorf("no SLO: %+v", ev)
	}
}

// TestMonitoringConfigure sets the provider the way `keptn configure
// monitoring` does (a monitoring.configure event), reads it back and
// refuses bad input.
func TestMonitoringConfigure(t *testing.T) {
	g := newGate(t, server.Config{})
	g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.monitoring.configure", "source": "https://github.com/keptn/keptn/cli#configure-monitoring",
		"data": map[string]any{"project": "shop", "service": "carts", "type": "prometheus"}})
	b := g.must(200, "GET", "/api/controlPlane/v1/project/shop/monitoring", nil)
	if !strings.Contains(string(b), `"sliProvider":"prometheus"`) {
		t.Errorf("after monitoring.configure: %s", b)
	}
	if st, b := g.in.Do("PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"sliProvider": "bad name!"}); st != 400 {
		t.Errorf("bad provider: %d %s", st, b)
	}
	if st, b := g.in.Do("GET", "/api/controlPlane/v1/project/nope/monitoring", nil); st != 404 {
		t.Errorf("unknown project: %d %s", st, b)
	}
	if st, b := g.in.Do("PUT", "/api/controlPlane/v1/project/nope/monitoring", map[string]any{"sliProvider": "prometheus"}); st != 404 {
		t.Errorf("unknown project: %d %s", st, b)
	}
	b = g.must(200, "GET", "/api/controlPlane/v1/project/shop/monitoring", nil)
	if !strings.Contains(string(b), `"sliProvider":"prometheus"`) {
		t.Errorf("refused requests changed the provider: %s", b)
	}
	// A monitoring.configure for an unknown project is only history.
	g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.monitoring.configure", "source": "cli",
		"data": map[string]any{"project": "nope", "type": "prometheus"}})
	// Deleting the project forgets its provider.
	g.must(200, "DELETE", "/api/controlPlane/v1/project/shop", nil)
	g.must(200, "POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop", "shipyard": b64(gateShipyard)})
	b = g.must(200, "GET", "/api/controlPlane/v1/project/shop/monitoring", nil)
	if !strings.Contains(string(b), `"sliProvider":""`) {
		t.Errorf("a re-created project kept the provider: %s", b)
	}
}

// TestSLIProviderTimeoutAndError: a provider that never answers fails the
// evaluation after the SLI timeout; one that answers errored fails it with
// its message.
func TestSLIProviderTimeoutAndError(t *testing.T) {
	g := newProject(t, server.Config{SLITimeout: 300 * time.Millisecond})
	g.must(200, "PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"sliProvider": "silent-provider"})
	kc := g.evaluate()
	ev := decodeEval(t, g.wait(kc, "sh.keptn.event.evaluation.finished").Data)
	if ev.Result != "fail" || ev.Status != "errored" || !strings.Contains(ev.Message, "evaluation timed out: SLI provider silent-provider did not answer") {
		t.Errorf("timeout: %+v", ev)
	}
	// The unanswered get-sli.triggered is no longer open.
	b := g.must(200, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.get-sli.triggered?project=shop", nil)
	if !strings.Contains(string(b), `"events":[]`) {
		t.Errorf("get-sli.triggered still open after the timeout: %s", b)
	}

	// A provider that answers errored fails the evaluation with its message.
	kc = g.evaluate()
	gs := g.wait(kc, "sh.keptn.event.get-sli.triggered")
	b = g.must(200, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.get-sli.triggered?project=shop", nil)
	if !strings.Contains(string(b), gs.ID) {
		t.Errorf("open get-sli.triggered not listed for remote providers: %s", b)
	}
	g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.get-sli.finished", "source": "my-provider",
		"shkeptncontext": kc, "triggeredid": gs.ID, "data": map[string]any{"project": "shop", "stage": "dev", "service": "carts",
			"status": "errored", "result": "fail", "message": "could not reach the metrics backend"}})
	ev = decodeEval(t, g.wait(kc, "sh.keptn.event.evaluation.finished").Data)
	if ev.Result != "fail" || ev.Message != "evaluation performed by lighthouse received an unexpected error: could not reach the metrics backend" {
		t.Errorf("provider error: %+v", ev)
	}
}

// TestInvalidSLORefusedAtUpload checks the line and reason of refusals.
func TestInvalidSLORefusedAtUpload(t *testing.T) {
	g := newGate(t, server.Config{})
	for content, want := range map[string]string{
		"invalid": "line 1: cannot unmarshal",
		"objectives:\n  - sli: rt\n    pass:\n      - criteria: [\"<600ms\"]\ntotal_score:\n  pass: \"90%\"\n": "line 4: objective rt: pass criterion",
		"objectives:\n  - sli: rt\n": "line 1: total_score.pass is required",
		"objectives:\n  - sli: rt\n    key-sli: true\ntotal_score: {pass: 90%}\n": "line 3: field key-sli not found",
		"comparison:\n  aggregate_function: p99\ntotal_score: {pass: 90%}\n":      "line 2: aggregate_function must be avg, p50, p90 or p95",
	} {
		st, b := g.in.Do("POST", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource", map[string]any{
			"resources": []map[string]any{{"resourceURI": "slo.yaml", "resourceContent": b64(content)}}})
		if st != 400 || !strings.Contains(string(b), want) || !strings.Contains(string(b), "slo.yaml") {
			t.Errorf("%q: %d %s, want 400 saying %q", content, st, b, want)
		}
	}
}

// TestWebhookSLIProvider: a webhook subscribed to get-sli.triggered calls a
// receiver (sendFinished: false), which answers with get-sli.finished over
// the API, as with Keptn's webhook-service.
func TestWebhookSLIProvider(t *testing.T) {
	calls := make(chan map[string]string, 4)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		calls <- body
	}))
	defer rc.Close()
	g := newProject(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	g.must(200, "PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"sliProvider": "my-metrics"})
	hook := `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata:
  name: sli
spec:
  webhooks:
    - type: sh.keptn.event.get-sli.triggered
      sendFinished: false
      requests:
        - url: ` + rc.URL + `/sli
          method: POST
          payload: '{"id":"{{.id}}","context":"{{.shkeptncontext}}"}'
`
	g.must(201, "POST", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource", map[string]any{
		"resources": []map[string]any{{"resourceURI": "webhook/webhook.yaml", "resourceContent": b64(hook)}}})
	kc := g.evaluate()
	var call map[string]string
	select {
	case call = <-calls:
	case <-time.After(20 * time.Second):
		t.Fatalf("the webhook was not called; history: %s", g.must(200, "GET", "/api/mongodb-datastore/event?keptnContext="+kc, nil))
	}
	if call["context"] != kc || call["id"] == "" {
		t.Fatalf("webhook payload %v", call)
	}
	g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.get-sli.finished", "source": "my-metrics",
		"shkeptncontext": kc, "triggeredid": call["id"], "data": map[string]any{"project": "shop", "stage": "dev", "service": "carts",
			"result": "pass", "status": "succeeded", "get-sli": map[string]any{"indicatorValues": []map[string]any{
				{"metric": "response_time_p95", "value": 321, "success": true}}}}})
	ev := decodeEval(t, g.wait(kc, "sh.keptn.event.evaluation.finished").Data)
	if ev.Result != "pass" || ev.Evaluation.IndicatorResults[0].Value.Value != 321 {
		t.Errorf("evaluation: %+v", ev)
	}
	if n := len(g.events(kc, "sh.keptn.event.get-sli.started")); n != 1 {
		t.Errorf("%d get-sli.started from the webhook service, want 1", n)
	}
}
