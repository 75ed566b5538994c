package sequence_test

import (
	"encoding/json"
	"testing"

	"github.com/batonhq/baton/server"
)

// A client that resends .started (its first reply was lost) is counted once:
// its single .finished completes the task, and the next task and the next
// sequence of the service run.
func TestDuplicateStartedCountedOnce(t *testing.T) {
	h := start(t, server.Config{}, twoTaskShipyard)
	kc := h.trigger("dev", "check", nil)
	trig := h.next("test", kc)
	h.send(trig, "started", "executor", nil)
	h.send(trig, "started", "executor", nil) // the retry
	h.send(trig, "finished", "executor", map[string]any{"result": "pass", "status": "succeeded"})
	h.run(h.next("report", kc), "pass", nil)
	if fin := h.finished(kc, "dev", "check"); fin.Data["result"] != "pass" {
		t.Fatalf("sequence result %v", fin.Data["result"])
	}
	// A duplicate .finished from the same source does not finish for another
	// executor that is still working.
	kc = h.trigger("dev", "check", nil)
	trig = h.next("test", kc)
	h.send(trig, "started", "a", nil)
	h.send(trig, "started", "b", nil)
	h.send(trig, "finished", "a", map[string]any{"result": "pass", "status": "succeeded"})
	h.send(trig, "finished", "a", map[string]any{"result": "pass", "status": "succeeded"})
	if n := len(h.open("report")); n != 0 {
		t.Fatalf("report dispatched while executor b had not finished")
	}
	h.send(trig, "finished", "b", map[string]any{"result": "pass", "status": "succeeded"})
	h.run(h.next("report", kc), "pass", nil)
	h.finished(kc, "dev", "check")
}

// A retried POST /api/v1/event with the same CloudEvent id and source stores
// nothing twice and answers the same keptnContext.
func TestEventIDIsIdempotencyKey(t *testing.T) {
	h := start(t, server.Config{}, twoTaskShipyard)
	post := func(id, source string) string {
		ev := map[string]any{"type": "sh.keptn.event.dev.check.triggered", "source": source, "specversion": "1.0",
			"data": map[string]any{"project": h.project, "stage": "dev", "service": h.service}}
		if id != "" {
			ev["id"] = id
		}
		var r struct{ KeptnContext string }
		json.Unmarshal(h.must(200, "POST", "/api/v1/event", ev), &r)
		return r.KeptnContext
	}
	first := post("7d6c0b9e-client-id", "ci")
	if again := post("7d6c0b9e-client-id", "ci"); again != first {
		t.Errorf("retried POST answered keptnContext %s, want %s", again, first)
	}
	if n := len(h.events(first, "")); n != 2 { // the .triggered and the first task's .triggered
		t.Errorf("%d events in the context after a retried POST, want 2", n)
	}
	if other := post("7d6c0b9e-client-id", "another-source"); other == first {
		t.Errorf("the same id from another source must be another event")
	}
	if a, b := post("", "ci"), post("", "ci"); a == b {
		t.Errorf("events without an id must not be deduplicated")
	}
}
