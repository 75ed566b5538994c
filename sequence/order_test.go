package sequence_test

import (
	"testing"

	"github.com/batonhq/baton/server"
)

const deliveryShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata: {name: demo}
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
              properties: {deploymentstrategy: direct}
            - name: test
              properties: {teststrategy: functional}
            - name: release
`

func TestTasksRunInOrderWithMergedPayload(t *testing.T) {
	h := start(t, server.Config{}, deliveryShipyard)
	kc := h.trigger("dev", "delivery", map[string]any{
		"labels":              map[string]any{"owner": "ana"},
		"configurationChange": map[string]any{"values": map[string]any{"image": "web:1"}},
		"count":               1,
		"urls":                []any{"input"},
	})

	dep := h.next("deployment", kc)
	if dep.Source != "shipyard-controller" || dep.TriggeredID != "" {
		t.Errorf("deployment.triggered source %q triggeredid %q", dep.Source, dep.TriggeredID)
	}
	if got := dep.Data["deployment"]; got == nil || got.(map[string]any)["deploymentstrategy"] != "direct" {
		t.Errorf("deployment properties not under data.deployment: %v", dep.Data)
	}
	if dep.Data["configurationChange"] == nil || dep.Data["labels"].(map[string]any)["owner"] != "ana" {
		t.Errorf("input properties missing: %v", dep.Data)
	}
	if _, ok := dep.Data["result"]; ok {
		t.Errorf("first task must not carry a result: %v", dep.Data)
	}
	if n := len(h.open("test")); n != 0 {
		t.Fatalf("test dispatched before deployment finished (%d open)", n)
	}
	h.run(dep, "pass", map[string]any{
		"deployment": map[string]any{"deploymentURIsLocal": []any{"http://web"}},
		"count":      2,
		"urls":       []any{"deployment"},
	})

	tst := h.next("test", kc)
	if tst.Data["result"] != "pass" || tst.Data["status"] != "succeeded" {
		t.Errorf("test.triggered result/status %v/%v", tst.Data["result"], tst.Data["status"])
	}
	if uris := tst.Data["deployment"].(map[string]any)["deploymentURIsLocal"]; uris == nil {
		t.Errorf("deployment's finished data not passed on: %v", tst.Data)
	}
	if tst.Data["test"].(map[string]any)["teststrategy"] != "functional" {
		t.Errorf("test properties missing: %v", tst.Data)
	}
	// baton: a later number wins (Keptn kept the first); arrays concatenate later-first.
	if tst.Data["count"] != float64(2) {
		t.Errorf("count = %v, want 2 (later wins)", tst.Data["count"])
	}
	if urls := tst.Data["urls"].([]any); len(urls) != 2 || urls[0] != "deployment" || urls[1] != "input" {
		t.Errorf("urls = %v, want [deployment input]", urls)
	}
	h.run(tst, "warning", nil)

	rel := h.next("release", kc)
	if rel.Data["result"] != "warning" {
		t.Errorf("release.triggered result %v, want warning", rel.Data["result"])
	}
	h.run(rel, "pass", nil)

	fin := h.finished(kc, "dev", "delivery")
	trig := h.events(kc, "sh.keptn.event.dev.delivery.triggered")[0]
	if fin.TriggeredID != trig.ID || fin.Source != "shipyard-controller" {
		t.Errorf("finished triggeredid %q source %q", fin.TriggeredID, fin.Source)
	}
	if fin.Data["result"] != "pass" || fin.Data["status"] != "succeeded" {
		t.Errorf("sequence finished %v/%v, want pass/succeeded (the last task's)", fin.Data["result"], fin.Data["status"])
	}
	if _, ok := fin.Data["deployment"]; ok {
		t.Errorf("sequence .finished carries task payloads: %v", fin.Data)
	}
	if st := h.sequenceState(kc); st["state"] != "finished" || st["name"] != "delivery" {
		t.Errorf("sequence state %v", st)
	}
	for _, task := range []string{"deployment", "test", "release"} {
		if n := len(h.events(kc, "sh.keptn.event."+task+".triggered")); n != 1 {
			t.Errorf("%d %s.triggered events, want 1", n, task)
		}
		if n := len(h.open(task)); n != 0 {
			t.Errorf("%s.triggered still open after the sequence ended", task)
		}
	}
}
