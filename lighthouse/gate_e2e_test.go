package lighthouse_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const gateShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata:
  name: gates
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: evaluation
              properties:
                timeframe: 5m
            - name: release
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
              selector:
                match:
                  result: pass
          tasks:
            - name: release
`

const gateSLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: pass
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    displayName: Response time P95
    key_sli: true
    pass:
      - criteria: ["<600"]
    warning:
      - criteria: ["<=800"]
  - sli: error_rate
total_score:
  pass: "90%"
  warning: "75%"
`

// gate is a project with a quality gate in dev and a test SLI provider
// (a remote integration) whose response time the test sets.
type gate struct {
	t     *testing.T
	in    *batontest.Instance
	rt    atomic.Int64 // response_time_p95 the provider reports
	asked atomic.Value // last get-sli.triggered data
}

func newGate(t *testing.T, cfg server.Config) *gate {
	g := newProject(t, cfg)
	g.runProvider()
	return g
}

// newProject sets the project up without a provider running.
func newProject(t *testing.T, cfg server.Config) *gate {
	g := &gate{t: t, in: batontest.Start(t, cfg)}
	g.must(200, "POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop", "shipyard": base64.StdEncoding.EncodeToString([]byte(gateShipyard))})
	g.must(200, "POST", "/api/controlPlane/v1/project/shop/service", map[string]any{"serviceName": "carts"})
	g.putSLO(gateSLO)
	g.must(200, "PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"sliProvider": "test-provider"})
	return g
}

// runProvider runs the test SLI provider and executors for the other tasks.
func (g *gate) runProvider() {
	sli := func(ev batontest.TriggeredEvent) map[string]any {
		g.asked.Store(ev.Data)
		gs, _ := ev.Data["get-sli"].(map[string]any)
		return map[string]any{"get-sli": map[string]any{"start": gs["start"], "end": gs["end"], "indicatorValues": []map[string]any{
			{"metric": "response_time_p95", "value": g.rt.Load(), "success": true},
			{"metric": "error_rate", "value": 0.5, "success": true},
		}}}
	}
	batontest.RunExecutor(g.t, g.in.URL, g.in.Token, "shop", map[string]batontest.Answer{
		"deployment": func(batontest.TriggeredEvent) map[string]any { return nil },
		"release":    func(batontest.TriggeredEvent) map[string]any { return nil },
		"get-sli":    sli,
	})
}

func (g *gate) putSLO(content string) {
	g.t.Helper()
	g.must(201, "POST", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource", map[string]any{
		"resources": []map[string]any{{"resourceURI": "slo.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(content))}}})
}

func (g *gate) must(want int, method, path string, body any) []byte {
	g.t.Helper()
	st, b := g.in.Do(method, path, body)
	if st != want && !(want == 200 && st == 201) {
		g.t.Fatalf("%s %s: %d %s", method, path, st, b)
	}
	return b
}

type ce struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Source         string          `json:"source"`
	Shkeptncontext string          `json:"shkeptncontext"`
	TriggeredID    string          `json:"triggeredid"`
	GitCommitID    string          `json:"gitcommitid"`
	Data           json.RawMessage `json:"data"`
}

// events returns the context's events of a type, newest first.
func (g *gate) events(kc, typ string) []ce {
	g.t.Helper()
	b := g.must(200, "GET", "/api/mongodb-datastore/event?keptnContext="+kc+"&type="+url.QueryEscape(typ), nil)
	var page struct{ Events []ce }
	if err := json.Unmarshal(b, &page); err != nil {
		g.t.Fatal(err)
	}
	return page.Events
}

// wait polls for an event with a deadline.
func (g *gate) wait(kc, typ string) ce {
	g.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if evs := g.events(kc, typ); len(evs) > 0 {
			return evs[0]
		}
		if time.Now().After(deadline) {
			b := g.must(200, "GET", "/api/mongodb-datastore/event?keptnContext="+kc, nil)
			g.t.Fatalf("no %s in context %s; history: %s", typ, kc, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (g *gate) deliver() string {
	g.t.Helper()
	b := g.must(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.dev.delivery.triggered", "source": "test",
		"data": map[string]any{"project": "shop", "stage": "dev", "service": "carts", "configurationChange": map[string]any{"values": map[string]any{"image": "carts:1"}}}})
	var kc struct{ KeptnContext string }
	json.Unmarshal(b, &kc)
	return kc.KeptnContext
}

// evaluation mirrors go-utils' EvaluationFinishedEventData, strictly.
type evaluation struct {
	Project, Stage, Service, Result, Status, Message string
	Labels                                           map[string]string
	Evaluation                                       struct {
		TimeStart        string   `json:"timeStart"`
		TimeEnd          string   `json:"timeEnd"`
		Result           string   `json:"result"`
		Score            float64  `json:"score"`
		SLOFileContent   string   `json:"sloFileContent"`
		ComparedEvents   []string `json:"comparedEvents"`
		IndicatorResults []struct {
			Score float64 `json:"score"`
			Value struct {
				Metric        string  `json:"metric"`
				Value         float64 `json:"value"`
				ComparedValue float64 `json:"comparedValue"`
				Success       bool    `json:"success"`
				Message       string  `json:"message"`
			} `json:"value"`
			DisplayName string `json:"displayName"`
			PassTargets []struct {
				Criteria    string  `json:"criteria"`
				TargetValue float64 `json:"targetValue"`
				Violated    bool    `json:"violated"`
			} `json:"passTargets"`
			WarningTargets []struct {
				Criteria    string  `json:"criteria"`
				TargetValue float64 `json:"targetValue"`
				Violated    bool    `json:"violated"`
			} `json:"warningTargets"`
			KeySLI bool   `json:"keySli"`
			Status string `json:"status"`
		} `json:"indicatorResults"`
	} `json:"evaluation"`
}

func decodeEval(t *testing.T, raw json.RawMessage) evaluation {
	t.Helper()
	var e evaluation
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("evaluation.finished data does not fit go-utils' model: %v\n%s", err, raw)
	}
	return e
}

// TestQualityGateDelivery runs deployment → evaluation → release with a
// remote SLI provider: good values pass and production's triggeredOn
// (result: pass) fires; bad values fail dev's delivery and production is
// not triggered; the second evaluation compares with the first.
func TestQualityGateDelivery(t *testing.T) {
	g := newGate(t, server.Config{})

	g.rt.Store(200)
	kc := g.deliver()
	g.wait(kc, "sh.keptn.event.production.delivery.finished")
	fin := g.wait(kc, "sh.keptn.event.evaluation.finished")
	if fin.Source != "lighthouse-service" {
		t.Errorf("source %q", fin.Source)
	}
	ev := decodeEval(t, fin.Data)
	if ev.Result != "pass" || ev.Status != "succeeded" || ev.Evaluation.Result != "pass" || ev.Evaluation.Score != 100 {
		t.Errorf("good values: %+v", ev)
	}
	if len(ev.Evaluation.IndicatorResults) != 2 {
		t.Fatalf("indicatorResults: %+v", ev.Evaluation.IndicatorResults)
	}
	rt := ev.Evaluation.IndicatorResults[0]
	if rt.Value.Metric != "response_time_p95" || rt.Value.Value != 200 || rt.Status != "pass" || !rt.KeySLI ||
		rt.DisplayName != "Response time P95" || len(rt.PassTargets) != 1 || rt.PassTargets[0].TargetValue != 600 {
		t.Errorf("response time result: %+v", rt)
	}
	if ev.Evaluation.IndicatorResults[1].Status != "info" {
		t.Errorf("error_rate: %+v", ev.Evaluation.IndicatorResults[1])
	}
	if slo, _ := base64.StdEncoding.DecodeString(ev.Evaluation.SLOFileContent); string(slo) != gateSLO {
		t.Errorf("sloFileContent: %q", slo)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", ev.Evaluation.TimeStart); err != nil {
		t.Errorf("timeStart %q: %v", ev.Evaluation.TimeStart, err)
	}
	asked, _ := g.asked.Load().(map[string]any)
	gs, _ := asked["get-sli"].(map[string]any)
	if gs["sliProvider"] != "test-provider" || fmt.Sprint(gs["indicators"]) != "[response_time_p95 error_rate]" {
		t.Errorf("get-sli.triggered data: %v", asked)
	}
	started := g.events(kc, "sh.keptn.event.evaluation.started")
	if len(started) != 1 || started[0].TriggeredID != fin.TriggeredID {
		t.Errorf("evaluation.started: %+v", started)
	}

	g.rt.Store(900)
	kc2 := g.deliver()
	seq := g.wait(kc2, "sh.keptn.event.dev.delivery.finished")
	if !strings.Contains(string(seq.Data), `"result":"fail"`) {
		t.Errorf("dev delivery with bad values: %s", seq.Data)
	}
	ev2 := decodeEval(t, g.wait(kc2, "sh.keptn.event.evaluation.finished").Data)
	if ev2.Result != "fail" || ev2.Evaluation.Score != 0 ||
		ev2.Message != "Evaluation failed due to key_sli objective 'Response time P95': failed evaluation with score 0.000000" {
		t.Errorf("bad values: result %s score %v message %q", ev2.Result, ev2.Evaluation.Score, ev2.Message)
	}
	if len(ev2.Evaluation.ComparedEvents) != 1 || ev2.Evaluation.ComparedEvents[0] != fin.ID {
		t.Errorf("comparedEvents %v, want [%s]", ev2.Evaluation.ComparedEvents, fin.ID)
	}
	if evs := g.events(kc2, "sh.keptn.event.production.delivery.triggered"); len(evs) != 0 {
		t.Errorf("production was triggered after a failed gate: %+v", evs)
	}
	if evs := g.events(kc2, "sh.keptn.event.release.triggered"); len(evs) != 0 {
		t.Errorf("release ran after a failed gate")
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
