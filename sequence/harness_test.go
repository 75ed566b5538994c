package sequence_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/server"
)

// harness drives a real baton over HTTP: it creates a project and a service
// through the API, triggers sequences and plays the executors.
type harness struct {
	t       *testing.T
	in      *batontest.Instance // nil when driving a baton process
	base    string
	project string
	service string
}

func start(t *testing.T, cfg server.Config, shipyard string) *harness {
	t.Helper()
	cfg.ExternalEvaluator = true // these tests answer evaluation tasks themselves
	in := batontest.Start(t, cfg)
	h := &harness{t: t, in: in, base: in.URL, project: "demo", service: "web"}
	h.setup(shipyard)
	return h
}

// do sends an authenticated request and returns status and body.
func (h *harness) do(method, path string, body any) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.base+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("x-token", batontest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// setup creates the project and its service through the API.
func (h *harness) setup(shipyard string) {
	h.t.Helper()
	h.must(201, "POST", "/api/controlPlane/v1/project", map[string]any{
		"name": h.project, "shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard)),
	})
	h.must(200, "POST", "/api/controlPlane/v1/project/"+h.project+"/service", map[string]any{"serviceName": h.service})
}

func (h *harness) must(status int, method, path string, body any) []byte {
	h.t.Helper()
	st, b := h.do(method, path, body)
	if st != status {
		h.t.Fatalf("%s %s: got %d %s, want %d", method, path, st, b, status)
	}
	return b
}

// trigger sends sh.keptn.event.<stage>.<seq>.triggered and returns the keptnContext.
func (h *harness) trigger(stage, seq string, data map[string]any) string {
	h.t.Helper()
	return h.triggerFor(h.service, stage, seq, data)
}

func (h *harness) triggerFor(service, stage, seq string, data map[string]any) string {
	h.t.Helper()
	d := map[string]any{"project": h.project, "stage": stage, "service": service}
	for k, v := range data {
		d[k] = v
	}
	b := h.must(200, "POST", "/api/v1/event", map[string]any{
		"type": keptn.SequenceType(stage, seq, "triggered"), "source": "test", "specversion": "1.0", "data": d,
	})
	var r struct{ KeptnContext string }
	if err := json.Unmarshal(b, &r); err != nil || r.KeptnContext == "" {
		h.t.Fatalf("trigger: %s", b)
	}
	return r.KeptnContext
}

// event is a stored event as served.
type event struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	Source         string         `json:"source"`
	Shkeptncontext string         `json:"shkeptncontext"`
	TriggeredID    string         `json:"triggeredid"`
	GitCommitID    string         `json:"gitcommitid"`
	Data           map[string]any `json:"data"`
}

// open returns the open .triggered events of task (type sh.keptn.event.<task>.triggered).
func (h *harness) open(task string) []event {
	h.t.Helper()
	b := h.must(200, "GET", "/api/controlPlane/v1/event/triggered/"+keptn.TaskType(task, "triggered")+"?project="+h.project, nil)
	var r struct{ Events []event }
	if err := json.Unmarshal(b, &r); err != nil {
		h.t.Fatal(err)
	}
	return r.Events
}

// next waits (long-polling) until a .triggered of task is open in context kc and returns it.
func (h *harness) next(task, kc string) event {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b := h.must(200, "GET", "/api/controlPlane/v1/event/triggered/"+keptn.TaskType(task, "triggered")+
			"?project="+h.project+"&wait=200ms&pageSize=100", nil)
		var r struct{ Events []event }
		if err := json.Unmarshal(b, &r); err != nil {
			h.t.Fatal(err)
		}
		for _, ev := range r.Events {
			if ev.Shkeptncontext == kc {
				return ev
			}
		}
	}
	h.t.Fatalf("no open %s.triggered in context %s", task, kc)
	return event{}
}

// send posts a task event answering trig (phase started, finished, status.changed).
func (h *harness) send(trig event, phase, source string, data map[string]any) {
	h.t.Helper()
	task := keptn.ParseType(trig.Type).Task
	d := map[string]any{"project": h.project, "stage": trig.Data["stage"], "service": trig.Data["service"]}
	for k, v := range data {
		d[k] = v
	}
	typ := keptn.TaskType(task, phase)
	if phase == "status.changed" {
		typ = "sh.keptn.event." + task + ".status.changed"
	}
	h.must(200, "POST", "/api/v1/event", map[string]any{
		"type": typ, "source": source, "specversion": "1.0", "shkeptncontext": trig.Shkeptncontext,
		"triggeredid": trig.ID, "data": d,
	})
}

// run answers trig with .started and .finished(result, status, extra data).
func (h *harness) run(trig event, result string, extra map[string]any) {
	h.t.Helper()
	h.send(trig, "started", "executor", nil)
	d := map[string]any{"result": result, "status": keptn.StatusSucceeded}
	for k, v := range extra {
		d[k] = v
	}
	h.send(trig, "finished", "executor", d)
}

// events returns the context's events of a type, oldest first.
func (h *harness) events(kc, typ string) []event {
	h.t.Helper()
	q := url.Values{"keptnContext": {kc}, "pageSize": {"100"}}
	if typ != "" {
		q.Set("type", typ)
	}
	b := h.must(200, "GET", "/api/mongodb-datastore/event?"+q.Encode(), nil)
	var r struct{ Events []event }
	if err := json.Unmarshal(b, &r); err != nil {
		h.t.Fatal(err)
	}
	for i, j := 0, len(r.Events)-1; i < j; i, j = i+1, j-1 {
		r.Events[i], r.Events[j] = r.Events[j], r.Events[i]
	}
	return r.Events
}

// finished returns the single sequence .finished of stage/seq in kc.
func (h *harness) finished(kc, stage, seq string) event {
	h.t.Helper()
	evs := h.events(kc, keptn.SequenceType(stage, seq, "finished"))
	if len(evs) != 1 {
		h.t.Fatalf("%d %s.%s.finished events in %s, want 1: %+v", len(evs), stage, seq, kc, evs)
	}
	return evs[0]
}

// waitFor polls cond with a deadline (work happens on the outbox worker).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline, not waiting for time to pass
	}
}

// sequenceState returns the context's entry of GET /sequence/{project}.
func (h *harness) sequenceState(kc string) map[string]any {
	h.t.Helper()
	b := h.must(200, "GET", "/api/controlPlane/v1/sequence/"+h.project+"?keptnContext="+kc, nil)
	var r struct{ States []map[string]any }
	if err := json.Unmarshal(b, &r); err != nil || len(r.States) != 1 {
		h.t.Fatalf("sequence state of %s: %s", kc, b)
	}
	return r.States[0]
}

func (h *harness) control(kc, state, stage string) {
	h.t.Helper()
	h.must(200, "POST", fmt.Sprintf("/api/controlPlane/v1/sequence/%s/%s/control", h.project, kc),
		map[string]any{"state": state, "stage": stage})
}
