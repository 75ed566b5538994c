package sequence_test

import (
	"testing"

	"github.com/batonhq/baton/server"
)

const twoTaskShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: check
          tasks:
            - name: test
            - name: report
`

// Two executors answer each test task; the task completes only when both
// finished, and their results aggregate as in Keptn.
func TestTwoExecutorsAggregate(t *testing.T) {
	h := start(t, server.Config{}, twoTaskShipyard)
	for _, tc := range []struct{ a, b, want string }{
		{"pass", "pass", "pass"},
		{"pass", "warning", "warning"},
		{"warning", "fail", "fail"},
	} {
		kc := h.trigger("dev", "check", nil)
		trig := h.next("test", kc)
		h.send(trig, "started", "executor-a", nil)
		h.send(trig, "started", "executor-b", nil)
		h.send(trig, "status.changed", "executor-b", map[string]any{"message": "half way"})
		h.send(trig, "finished", "executor-a", map[string]any{"result": tc.a, "status": "succeeded", "a": map[string]any{"x": 1}})
		if n := len(h.open("report")); n != 0 {
			t.Fatalf("%s+%s: report dispatched after only one of two executors finished", tc.a, tc.b)
		}
		if n := len(h.open("test")); n != 1 {
			t.Fatalf("%s+%s: test.triggered closed early", tc.a, tc.b)
		}
		h.send(trig, "finished", "executor-b", map[string]any{"result": tc.b, "status": "succeeded", "b": map[string]any{"y": 2}})
		if tc.want == "fail" {
			fin := h.finished(kc, "dev", "check")
			if fin.Data["result"] != "fail" {
				t.Errorf("%s+%s: sequence result %v, want fail", tc.a, tc.b, fin.Data["result"])
			}
			if n := len(h.events(kc, "sh.keptn.event.report.triggered")); n != 0 {
				t.Errorf("a failed task must end the sequence, but report was dispatched")
			}
			continue
		}
		rep := h.next("report", kc)
		if rep.Data["result"] != tc.want {
			t.Errorf("%s+%s: report.triggered result %v, want %s", tc.a, tc.b, rep.Data["result"], tc.want)
		}
		if rep.Data["a"] == nil || rep.Data["b"] == nil {
			t.Errorf("both executors' data must be merged: %v", rep.Data)
		}
		h.run(rep, "pass", nil)
		if fin := h.finished(kc, "dev", "check"); fin.Data["result"] != "pass" {
			t.Errorf("sequence result %v", fin.Data["result"])
		}
	}
}

// Keptn's hole: a .finished without .started left the task open forever.
// baton counts it as start and finish.
func TestFinishedWithoutStartedCompletes(t *testing.T) {
	h := start(t, server.Config{}, twoTaskShipyard)
	kc := h.trigger("dev", "check", nil)
	h.send(h.next("test", kc), "finished", "executor", map[string]any{"result": "pass", "status": "succeeded"})
	h.send(h.next("report", kc), "finished", "executor", map[string]any{"result": "pass", "status": "succeeded"})
	if fin := h.finished(kc, "dev", "check"); fin.Data["status"] != "succeeded" {
		t.Errorf("status %v", fin.Data["status"])
	}
}

// An errored status ends the sequence even with result pass (which Keptn
// keeps); a missing status aggregates to unknown and fails (Keptn's rule).
func TestErroredAndUnknownStatusEndSequence(t *testing.T) {
	h := start(t, server.Config{}, twoTaskShipyard)
	for _, tc := range []struct {
		status     any
		wantStatus string
		wantResult string
	}{{"errored", "errored", "pass"}, {nil, "unknown", "fail"}} {
		kc := h.trigger("dev", "check", nil)
		d := map[string]any{"result": "pass", "message": "disk full"}
		if tc.status != nil {
			d["status"] = tc.status
		}
		h.send(h.next("test", kc), "finished", "executor", d)
		fin := h.finished(kc, "dev", "check")
		if fin.Data["status"] != tc.wantStatus || fin.Data["result"] != tc.wantResult || fin.Data["message"] != "disk full" {
			t.Errorf("status %v: finished %v/%v, want %s/%s", tc.status, fin.Data["result"], fin.Data["status"], tc.wantResult, tc.wantStatus)
		}
	}
}
