package sequence_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const queueShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: work
          tasks: [{name: task1}, {name: task2}, {name: task3}]
`

// Ten sequences for one service: exactly one runs, the rest wait and start
// strictly in trigger order; aborting the running one or finishing it
// starts the next at once. Another service is not blocked.
func TestQueueFIFOAndAbort(t *testing.T) {
	h := start(t, server.Config{}, queueShipyard)
	h.must(200, "POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "api"})
	var kcs []string
	for range 10 {
		kcs = append(kcs, h.trigger("dev", "work", nil))
	}
	other := h.triggerFor("api", "dev", "work", nil)

	for i, kc := range kcs {
		open := h.open("task1")
		if len(open) != 2 { // ours plus the other service's first sequence
			t.Fatalf("step %d: %d open task1.triggered, want 2", i, len(open))
		}
		var mine event
		for _, ev := range open {
			if ev.Data["service"] == "web" {
				mine = ev
			}
		}
		if mine.Shkeptncontext != kc {
			t.Fatalf("step %d: running %s, want %s (FIFO)", i, mine.Shkeptncontext, kc)
		}
		for j, w := range kcs[i+1:] {
			if st := h.sequenceState(w)["state"]; st != "waiting" {
				t.Fatalf("step %d: sequence %d state %v, want waiting", i, i+1+j, st)
			}
		}
		if i%2 == 0 {
			h.control(kc, "abort", "")
			fin := h.finished(kc, "dev", "work")
			if fin.Data["status"] != "aborted" || fin.Data["result"] != "pass" {
				t.Errorf("aborted sequence finished %v/%v, want pass/aborted", fin.Data["result"], fin.Data["status"])
			}
			if st := h.sequenceState(kc)["state"]; st != "aborted" {
				t.Errorf("state %v, want aborted", st)
			}
			continue
		}
		h.run(mine, "pass", nil)
		h.run(h.next("task2", kc), "pass", nil)
		if n := len(h.open("task1")); n != 1 {
			t.Fatalf("the next sequence started before the running one ended")
		}
		h.run(h.next("task3", kc), "pass", nil)
		h.finished(kc, "dev", "work")
	}
	if open := h.open("task1"); len(open) != 1 || open[0].Shkeptncontext != other {
		t.Errorf("the other service's sequence: %+v", open)
	}

	b := h.must(200, "GET", "/api/controlPlane/v1/sequence-execution?project=demo&service=web&pageSize=3", nil)
	var r struct {
		SequenceExecutions []struct {
			Status struct{ State string } `json:"status"`
			Scope  struct {
				KeptnContext string `json:"keptnContext"`
			} `json:"scope"`
		} `json:"sequenceExecutions"`
		NextPageKey int64 `json:"nextPageKey"`
		TotalCount  int   `json:"totalCount"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.TotalCount != 10 || len(r.SequenceExecutions) != 3 || r.NextPageKey != 3 ||
		r.SequenceExecutions[0].Scope.KeptnContext != kcs[0] || r.SequenceExecutions[0].Status.State != "aborted" ||
		r.SequenceExecutions[1].Status.State != "finished" {
		t.Errorf("sequence-execution page: %s", b)
	}
}

func TestPauseResume(t *testing.T) {
	h := start(t, server.Config{}, queueShipyard)
	kc := h.trigger("dev", "work", nil)
	waiting := h.trigger("dev", "work", nil)
	t1 := h.next("task1", kc)
	h.control(kc, "pause", "")
	if st := h.sequenceState(kc)["state"]; st != "paused" {
		t.Fatalf("state %v, want paused", st)
	}
	// The running task may still answer; the next task waits for resume.
	h.run(t1, "pass", nil)
	if n := len(h.open("task2")); n != 0 {
		t.Fatalf("task2 dispatched while paused")
	}
	if n := len(h.open("task1")); n != 0 {
		t.Fatalf("a paused sequence must keep its slot: the waiting one started")
	}
	h.control(kc, "resume", "")
	if st := h.sequenceState(kc)["state"]; st != "started" {
		t.Fatalf("state %v after resume, want started", st)
	}
	h.run(h.next("task2", kc), "pass", nil)

	// Pausing a waiting sequence: it is skipped until resumed.
	h.control(waiting, "pause", "dev")
	h.run(h.next("task3", kc), "pass", nil)
	h.finished(kc, "dev", "work")
	if n := len(h.open("task1")); n != 0 {
		t.Fatalf("a paused waiting sequence started")
	}
	third := h.trigger("dev", "work", nil)
	h.next("task1", third)
	h.control(waiting, "resume", "")
	if st := h.sequenceState(waiting)["state"]; st != "waiting" {
		t.Fatalf("resumed waiting sequence state %v", st)
	}
	h.control(third, "abort", "")
	h.next("task1", waiting)

	// Unknown context and bad state.
	if st, _ := h.do("POST", "/api/controlPlane/v1/sequence/demo/00000000-0000-4000-8000-000000000000/control", map[string]any{"state": "pause"}); st != 404 {
		t.Errorf("unknown context: %d, want 404", st)
	}
	if st, _ := h.do("POST", "/api/controlPlane/v1/sequence/demo/"+kc+"/control", map[string]any{"state": "stop"}); st != 400 {
		t.Errorf("bad state: %d, want 400", st)
	}
}

// A long-poll of /event/triggered does not hold up a graceful shutdown.
func TestLongPollEndsOnShutdown(t *testing.T) {
	srv, err := server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Token: batontest.Token,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Run(ctx) }()
	h := &harness{t: t, base: srv.URL()}
	polled := make(chan int, 1)
	go func() {
		st, _ := h.do("GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.x.triggered?wait=30s", nil)
		polled <- st
	}()
	h.waitFor("the long-poll to wait", func() bool { return srv.Sequences.Waiting() > 0 })
	start := time.Now()
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("shutdown still waiting after 20s")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %s with a long-poll open", d)
	}
	if st := <-polled; st != 200 {
		t.Errorf("long-poll answered %d at shutdown, want 200", st)
	}
}
