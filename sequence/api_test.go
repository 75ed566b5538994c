package sequence_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

type statesPage struct {
	States []struct {
		Name           string `json:"name"`
		Shkeptncontext string `json:"shkeptncontext"`
		State          string `json:"state"`
		Time           string `json:"time"`
		Stages         []struct {
			Name        string `json:"name"`
			Image       string `json:"image"`
			State       string `json:"state"`
			LatestEvent *struct {
				Type string `json:"type"`
			} `json:"latestEvent"`
		} `json:"stages"`
	} `json:"states"`
	NextPageKey int64 `json:"nextPageKey"`
	PageSize    int   `json:"pageSize"`
	TotalCount  int   `json:"totalCount"`
}

func TestSequenceStateAPIFilters(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	h := start(t, server.Config{Clock: clk}, approvalShipyard+`        - name: other
          tasks: [{name: release}]
`)
	image := map[string]any{"configurationChange": map[string]any{"values": map[string]any{"image": "web:3"}}}
	var kcs []string
	for range 3 {
		kcs = append(kcs, h.trigger("dev", "manual", image)) // 1 runs, 2 wait
		clk.Advance(time.Minute)
	}
	other := h.trigger("dev", "other", nil)
	get := func(q url.Values) statesPage {
		t.Helper()
		var p statesPage
		if err := json.Unmarshal(h.must(200, "GET", "/api/controlPlane/v1/sequence/demo?"+q.Encode(), nil), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	all := get(nil)
	if all.TotalCount != 4 || all.States[0].Shkeptncontext != other || all.States[3].Shkeptncontext != kcs[0] {
		t.Fatalf("all (newest first): %+v", all)
	}
	first := all.States[3]
	if first.Name != "manual" || first.State != "waitingForApproval" || len(first.Stages) != 1 ||
		first.Stages[0].Image != "web:3" || first.Stages[0].LatestEvent == nil {
		t.Errorf("first: %+v", first)
	}
	if p := get(url.Values{"state": {"waiting"}}); p.TotalCount != 3 { // two "manual" and "other" queued behind them
		t.Errorf("state=waiting: %d", p.TotalCount)
	}
	if p := get(url.Values{"name": {"other"}}); p.TotalCount != 1 || p.States[0].Shkeptncontext != other {
		t.Errorf("name=other: %+v", p)
	}
	if p := get(url.Values{"keptnContext": {kcs[0] + "," + kcs[1]}}); p.TotalCount != 2 {
		t.Errorf("keptnContext list: %+v", p)
	}
	if p := get(url.Values{"fromTime": {"2026-03-01T12:00:30Z"}, "beforeTime": {"2026-03-01T12:02:30Z"}}); p.TotalCount != 2 {
		t.Errorf("time window: %+v", p)
	}
	p := get(url.Values{"pageSize": {"3"}})
	if len(p.States) != 3 || p.NextPageKey != 3 || p.PageSize != 3 {
		t.Errorf("page 1: %+v", p)
	}
	if p = get(url.Values{"pageSize": {"3"}, "nextPageKey": {"3"}}); len(p.States) != 1 || p.NextPageKey != 0 {
		t.Errorf("page 2: %+v", p)
	}
	for path, want := range map[string]int{
		"/api/controlPlane/v1/sequence/nosuch":                   404,
		"/api/controlPlane/v1/sequence/demo?pageSize=0":          400,
		"/api/controlPlane/v1/sequence/demo?fromTime=yesterday":  400,
		"/api/controlPlane/v1/sequence-execution?pageSize=x":     400,
		"/api/controlPlane/v1/event/triggered/x?project=nosuch":  404,
		"/api/controlPlane/v1/event/triggered/x?wait=1h":         400,
		"/api/controlPlane/v1/event/triggered/x?nextPageKey=-1":  400,
		"/api/controlPlane/v1/sequence-execution?project=nosuch": 200,
	} {
		if st, b := h.do("GET", path, nil); st != want {
			t.Errorf("GET %s: %d %s, want %d", path, st, b, want)
		}
	}
	if st, _ := h.do("POST", "/api/controlPlane/v1/sequence/demo/"+kcs[0]+"/control", "not json"); st != 400 {
		t.Errorf("control with a bad body: %d, want 400", st)
	}
}

func TestOpenTriggeredFilters(t *testing.T) {
	h := start(t, server.Config{}, queueShipyard)
	h.must(200, "POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "api"})
	a := h.trigger("dev", "work", nil)
	b := h.triggerFor("api", "dev", "work", nil)
	ta, tb := h.next("task1", a), h.next("task1", b)
	get := func(q string) (ids []string, total int) {
		t.Helper()
		var p struct {
			Events []struct {
				ID string `json:"id"`
			}
			TotalCount int `json:"totalCount"`
		}
		json.Unmarshal(h.must(200, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.task1.triggered?"+q, nil), &p)
		for _, e := range p.Events {
			ids = append(ids, e.ID)
		}
		return ids, p.TotalCount
	}
	if ids, n := get(""); n != 2 || len(ids) != 2 || ids[0] != ta.ID {
		t.Errorf("no filter (oldest first): %v %d", ids, n)
	}
	if ids, _ := get("project=demo&stage=dev&service=api"); len(ids) != 1 || ids[0] != tb.ID {
		t.Errorf("service=api: %v", ids)
	}
	if ids, _ := get("eventID=" + tb.ID); len(ids) != 1 || ids[0] != tb.ID {
		t.Errorf("eventID: %v", ids)
	}
	if ids, n := get("pageSize=1&nextPageKey=1"); n != 2 || len(ids) != 1 || ids[0] != tb.ID {
		t.Errorf("page 2: %v %d", ids, n)
	}
	if ids, _ := get("stage=prod"); len(ids) != 0 {
		t.Errorf("stage=prod: %v", ids)
	}
	// The sequence's own .triggered is open until it ends.
	var p struct{ Events []event }
	json.Unmarshal(h.must(200, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.dev.work.triggered?project=demo", nil), &p)
	if len(p.Events) != 2 {
		t.Errorf("open sequence .triggered: %d, want 2", len(p.Events))
	}
	// A long-poll returns as soon as a matching task opens.
	done := make(chan []string, 1)
	go func() {
		var p struct{ Events []event }
		_, body := h.do("GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.task2.triggered?project=demo&wait=10s", nil)
		json.Unmarshal(body, &p)
		var kcs []string
		for _, e := range p.Events {
			kcs = append(kcs, e.Shkeptncontext)
		}
		done <- kcs
	}()
	h.waitFor("the long-poll to wait", func() bool { return h.in.Sequences.Waiting() > 0 })
	h.run(ta, "pass", nil)
	select {
	case got := <-done:
		if len(got) != 1 || got[0] != a {
			t.Errorf("long-poll got %v, want [%s]", got, a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long-poll did not return when task2 opened")
	}
}
