package sequence_test

import (
	"testing"

	"github.com/batonhq/baton/server"
)

const chainShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks: [{name: deployment}]
    - name: staging
      sequences:
        - name: delivery
          triggeredOn: [{event: dev.delivery.finished}]
          tasks: [{name: deployment}, {name: test}]
        - name: rollback
          triggeredOn:
            - event: staging.delivery.finished
              selector: {match: {test.result: fail}}
          tasks: [{name: rollback}]
    - name: production
      sequences:
        - name: delivery
          triggeredOn:
            - event: staging.delivery.finished
              selector: {match: {result: pass}}
          tasks: [{name: deployment}]
`

func TestStageChaining(t *testing.T) {
	h := start(t, server.Config{}, chainShipyard)

	// pass all the way: dev → staging → production, one keptnContext.
	kc := h.trigger("dev", "delivery", map[string]any{"configurationChange": map[string]any{"values": map[string]any{"image": "web:2"}}})
	h.run(h.next("deployment", kc), "pass", map[string]any{"deployment": map[string]any{"uri": "dev"}})
	h.finished(kc, "dev", "delivery")
	stg := h.events(kc, "sh.keptn.event.staging.delivery.triggered")
	if len(stg) != 1 || stg[0].Data["stage"] != "staging" || stg[0].Data["configurationChange"] == nil {
		t.Fatalf("staging.delivery.triggered: %+v", stg)
	}
	dep := h.next("deployment", kc)
	if dep.Data["stage"] != "staging" {
		t.Fatalf("deployment in %v, want staging", dep.Data["stage"])
	}
	h.run(dep, "pass", nil)
	h.run(h.next("test", kc), "pass", nil)
	h.finished(kc, "staging", "delivery")
	prod := h.next("deployment", kc)
	if prod.Data["stage"] != "production" {
		t.Fatalf("deployment in %v, want production", prod.Data["stage"])
	}
	h.run(prod, "pass", nil)
	h.finished(kc, "production", "delivery")
	if n := len(h.events(kc, "sh.keptn.event.staging.rollback.triggered")); n != 0 {
		t.Errorf("rollback ran although test passed")
	}
	st := h.sequenceState(kc)
	if stages := st["stages"].([]any); len(stages) != 3 || st["state"] != "finished" {
		t.Errorf("sequence state: %v", st)
	}

	// warning: no selector fires on warning (dev → staging), the selector
	// "result: pass" does not (no production).
	kc = h.trigger("dev", "delivery", nil)
	h.run(h.next("deployment", kc), "warning", nil)
	h.run(h.next("deployment", kc), "pass", nil)
	h.run(h.next("test", kc), "warning", nil)
	if fin := h.finished(kc, "staging", "delivery"); fin.Data["result"] != "warning" {
		t.Fatalf("staging result %v", fin.Data["result"])
	}
	if n := len(h.events(kc, "sh.keptn.event.production.delivery.triggered")); n != 0 {
		t.Errorf("production ran on warning despite selector result: pass")
	}

	// fail in staging's test: the "<task>.result: fail" selector starts rollback.
	kc = h.trigger("dev", "delivery", nil)
	h.run(h.next("deployment", kc), "pass", nil)
	h.run(h.next("deployment", kc), "pass", nil)
	h.run(h.next("test", kc), "fail", nil)
	h.run(h.next("rollback", kc), "pass", nil)
	h.finished(kc, "staging", "rollback")
	if n := len(h.events(kc, "sh.keptn.event.production.delivery.triggered")); n != 0 {
		t.Errorf("production ran after a failed staging")
	}

	// fail in dev: nothing chains without a selector for fail.
	kc = h.trigger("dev", "delivery", nil)
	h.run(h.next("deployment", kc), "fail", nil)
	h.finished(kc, "dev", "delivery")
	if n := len(h.events(kc, "sh.keptn.event.staging.delivery.triggered")); n != 0 {
		t.Errorf("staging ran after dev failed")
	}
}

func TestUnknownSequenceStageOrServiceErrors(t *testing.T) {
	h := start(t, server.Config{}, chainShipyard)
	for _, tc := range []struct{ service, stage, seq string }{
		{"web", "dev", "nosuch"},
		{"web", "qa", "delivery"},
		{"nosuch", "dev", "delivery"},
	} {
		kc := h.triggerFor(tc.service, tc.stage, tc.seq, nil)
		fin := h.finished(kc, tc.stage, tc.seq)
		trig := h.events(kc, "sh.keptn.event."+tc.stage+"."+tc.seq+".triggered")[0]
		if fin.Data["status"] != "errored" || fin.Data["result"] != "fail" || fin.Data["message"] == "" || fin.TriggeredID != trig.ID {
			t.Errorf("%+v: finished %+v", tc, fin)
		}
	}
}

// Pausing one stage of a context: the running stage goes on, the chained
// stage starts paused and runs once that stage is resumed.
func TestPauseOneStage(t *testing.T) {
	h := start(t, server.Config{}, chainShipyard)
	kc := h.trigger("dev", "delivery", nil)
	dep := h.next("deployment", kc)
	h.control(kc, "pause", "staging")
	if st := h.sequenceState(kc)["state"]; st != "started" {
		t.Fatalf("dev must keep running when only staging is paused: %v", st)
	}
	h.run(dep, "pass", nil)
	h.finished(kc, "dev", "delivery")
	stages := h.sequenceState(kc)["stages"].([]any)
	if len(stages) != 2 || stages[1].(map[string]any)["state"] != "paused" {
		t.Fatalf("staging should start paused: %v", stages)
	}
	if n := len(h.open("deployment")); n != 0 {
		t.Fatalf("a task of the paused stage was dispatched")
	}
	h.control(kc, "resume", "staging")
	if d := h.next("deployment", kc); d.Data["stage"] != "staging" {
		t.Fatalf("after resume: deployment in %v", d.Data["stage"])
	}
}
