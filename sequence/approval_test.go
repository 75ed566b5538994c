package sequence_test

import (
	"testing"

	"github.com/batonhq/baton/server"
)

const approvalShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: auto
          tasks:
            - name: evaluation
            - name: approval
              properties: {pass: automatic, warning: manual}
            - name: release
        - name: manual
          tasks:
            - name: approval
            - name: release
`

func TestBuiltinApproval(t *testing.T) {
	h := start(t, server.Config{}, approvalShipyard)

	// automatic for pass: approval-service answers at once.
	kc := h.trigger("dev", "auto", nil)
	h.run(h.next("evaluation", kc), "pass", nil)
	h.run(h.next("release", kc), "pass", nil)
	h.finished(kc, "dev", "auto")
	started := h.events(kc, "sh.keptn.event.approval.started")
	fin := h.events(kc, "sh.keptn.event.approval.finished")
	if len(started) != 1 || len(fin) != 1 || fin[0].Source != "approval-service" || fin[0].Data["result"] != "pass" {
		t.Fatalf("automatic approval: started %+v finished %+v", started, fin)
	}

	// manual for warning: waits for a human.
	kc = h.trigger("dev", "auto", nil)
	h.run(h.next("evaluation", kc), "warning", nil)
	appr := h.next("approval", kc)
	if st := h.sequenceState(kc)["stages"].([]any)[0].(map[string]any)["state"]; st != "waitingForApproval" {
		t.Errorf("stage state %v, want waitingForApproval", st)
	}
	if n := len(h.events(kc, "sh.keptn.event.approval.finished")); n != 0 {
		t.Fatalf("manual approval answered by itself")
	}
	h.send(appr, "finished", "https://github.com/keptn/keptn/cli", map[string]any{"result": "pass", "status": "succeeded"})
	h.run(h.next("release", kc), "pass", nil)
	h.finished(kc, "dev", "auto")

	// a human rejects: the sequence fails.
	kc = h.trigger("dev", "manual", nil)
	h.send(h.next("approval", kc), "finished", "bridge", map[string]any{"result": "fail", "status": "succeeded"})
	if f := h.finished(kc, "dev", "manual"); f.Data["result"] != "fail" {
		t.Errorf("rejected approval: %v", f.Data)
	}
	if n := len(h.events(kc, "sh.keptn.event.release.triggered")); n != 0 {
		t.Errorf("release ran after a rejected approval")
	}

	// previous result fail: approval fails automatically.
	kc = h.trigger("dev", "auto", nil)
	h.send(h.next("evaluation", kc), "finished", "x", map[string]any{"result": "fail", "status": "succeeded"})
	if n := len(h.events(kc, "sh.keptn.event.approval.triggered")); n != 0 {
		t.Errorf("a failed evaluation must end the sequence before approval")
	}
}
