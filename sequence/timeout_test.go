package sequence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

const timeoutShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: slow
          tasks:
            - name: deployment
              finishedTimeout: 30m
        - name: delayed
          tasks:
            - name: deployment
            - name: evaluation
              triggeredAfter: 5m
`

// advance moves the fake clock and waits, with a deadline, until cond holds:
// the outbox worker fires due timers asynchronously. It nudges the clock by
// a millisecond per poll so a worker that armed its wait just before the
// jump still wakes.
func advance(h *harness, clk *clock.Fake, d time.Duration, what string, cond func() bool) {
	h.t.Helper()
	clk.Advance(d)
	h.waitFor(what, func() bool {
		if cond() {
			return true
		}
		clk.Advance(time.Millisecond)
		return false
	})
}

func TestStartedTimeout(t *testing.T) {
	clk := clock.NewFake(time.Now())
	h := start(t, server.Config{Clock: clk}, timeoutShipyard)
	kc := h.trigger("dev", "slow", nil)
	h.next("deployment", kc)
	next := h.trigger("dev", "slow", nil) // waits behind the first

	clk.Advance(9 * time.Minute)
	if n := len(h.events(kc, "sh.keptn.event.dev.slow.finished")); n != 0 {
		t.Fatalf("timed out before 10 minutes")
	}
	advance(h, clk, 2*time.Minute, "the started timeout", func() bool {
		return len(h.events(kc, "sh.keptn.event.dev.slow.finished")) == 1
	})
	fin := h.finished(kc, "dev", "slow")
	if fin.Data["result"] != "fail" || fin.Data["status"] != "errored" ||
		!strings.Contains(fin.Data["message"].(string), "sh.keptn.event.deployment.triggered") {
		t.Errorf("timed-out finished: %v", fin.Data)
	}
	if st := h.sequenceState(kc)["state"]; st != "timedOut" {
		t.Errorf("state %v, want timedOut", st)
	}
	// The queue moved on, and a task that got its .started does not time out.
	trig := h.next("deployment", next)
	h.send(trig, "started", "executor", nil)
	advance(h, clk, 20*time.Minute, "nothing (started task)", func() bool { return true })
	if n := len(h.events(next, "sh.keptn.event.dev.slow.finished")); n != 0 {
		t.Fatalf("a started task hit the started timeout")
	}
	// ... but the shipyard's finishedTimeout (30m after .started) ends it.
	advance(h, clk, 11*time.Minute, "the finished timeout", func() bool {
		return len(h.events(next, "sh.keptn.event.dev.slow.finished")) == 1
	})
	fin = h.finished(next, "dev", "slow")
	if fin.Data["result"] != "fail" || !strings.Contains(fin.Data["message"].(string), "did not finish within 30m") {
		t.Errorf("finished-timeout finished: %v", fin.Data)
	}
	if st := h.sequenceState(next)["state"]; st != "timedOut" {
		t.Errorf("state %v, want timedOut", st)
	}
}

func TestTriggeredAfterDelaysTask(t *testing.T) {
	clk := clock.NewFake(time.Now())
	h := start(t, server.Config{Clock: clk, TaskStartedTimeout: time.Hour}, timeoutShipyard)
	kc := h.trigger("dev", "delayed", nil)
	h.run(h.next("deployment", kc), "pass", nil)
	if n := len(h.events(kc, "sh.keptn.event.evaluation.triggered")); n != 0 {
		t.Fatalf("evaluation dispatched before its triggeredAfter")
	}
	clk.Advance(4 * time.Minute)
	if n := len(h.open("evaluation")); n != 0 {
		t.Fatalf("evaluation open after 4 of 5 minutes")
	}
	advance(h, clk, 2*time.Minute, "the delayed evaluation", func() bool { return len(h.open("evaluation")) == 1 })
	h.run(h.next("evaluation", kc), "pass", map[string]any{"evaluation": map[string]any{"score": 95}})
	h.finished(kc, "dev", "delayed")
	stages := h.sequenceState(kc)["stages"].([]any)
	ev := stages[0].(map[string]any)["latestEvaluation"].(map[string]any)
	if ev["score"] != float64(95) || ev["result"] != "pass" {
		t.Errorf("latestEvaluation %v", ev)
	}
}

// A paused sequence does not time out; resume re-arms the timeout.
func TestPausedSequenceDoesNotTimeOut(t *testing.T) {
	clk := clock.NewFake(time.Now())
	h := start(t, server.Config{Clock: clk}, timeoutShipyard)
	kc := h.trigger("dev", "slow", nil)
	h.next("deployment", kc)
	h.control(kc, "pause", "")
	advance(h, clk, time.Hour, "nothing (paused)", func() bool { return true })
	if n := len(h.events(kc, "sh.keptn.event.dev.slow.finished")); n != 0 {
		t.Fatalf("a paused sequence timed out")
	}
	h.control(kc, "resume", "")
	advance(h, clk, 11*time.Minute, "the re-armed started timeout", func() bool {
		return len(h.events(kc, "sh.keptn.event.dev.slow.finished")) == 1
	})
}
