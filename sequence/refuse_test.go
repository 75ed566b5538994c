package sequence_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonhq/baton/server"
)

// A sequence refused at trigger time is listed by GET /sequence as finished
// and failed, with the reason, and by GET /sequence-execution; a duplicate
// .triggered of it is ignored.
func TestRefusedSequenceListedAsFailed(t *testing.T) {
	h := start(t, server.Config{}, chainShipyard)
	for _, tc := range []struct{ service, stage, seq, reason string }{
		{"web", "dev", "nosuch", "no sequence nosuch"},
		{"web", "qa", "delivery", "stage qa not found"},
		{"nosuch", "dev", "delivery", "service nosuch not found"},
	} {
		kc := h.triggerFor(tc.service, tc.stage, tc.seq, nil)
		st := h.sequenceState(kc)
		msg, _ := st["message"].(string)
		if st["state"] != "finished" || st["result"] != "fail" || !strings.Contains(msg, tc.reason) || st["endTime"] == nil ||
			st["name"] != tc.seq || st["service"] != tc.service {
			t.Errorf("%+v: state %v", tc, st)
		}
		stages, _ := st["stages"].([]any)
		if len(stages) != 1 || stages[0].(map[string]any)["latestFailedEvent"] == nil {
			t.Errorf("%+v: stages %v", tc, stages)
		}
		b := h.must(200, "GET", "/api/controlPlane/v1/sequence-execution?project=demo&keptnContext="+kc, nil)
		var r struct {
			SequenceExecutions []struct {
				Status struct{ State string }
				Scope  struct{ Result, Message string }
			}
		}
		if err := json.Unmarshal(b, &r); err != nil || len(r.SequenceExecutions) != 1 ||
			r.SequenceExecutions[0].Scope.Result != "fail" || r.SequenceExecutions[0].Status.State != "finished" {
			t.Errorf("%+v: executions %s", tc, b)
		}
	}
}

// An ended sequence states its result and end time; a running one neither.
func TestSequenceStateOutcome(t *testing.T) {
	h := start(t, server.Config{}, chainShipyard)
	kc := h.trigger("dev", "delivery", nil)
	dep := h.next("deployment", kc)
	if st := h.sequenceState(kc); st["result"] != nil || st["endTime"] != nil {
		t.Errorf("running sequence has an outcome: %v", st)
	}
	h.run(dep, "fail", map[string]any{"message": "image pull failed"})
	h.finished(kc, "dev", "delivery")
	st := h.sequenceState(kc)
	if st["state"] != "finished" || st["result"] != "fail" || st["endTime"] == nil {
		t.Errorf("failed sequence: %v", st)
	}
	stage := st["stages"].([]any)[0].(map[string]any)
	if stage["result"] != "fail" || stage["endTime"] == nil {
		t.Errorf("failed stage: %v", stage)
	}
}
