package sequence_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
)

// tolerantExecutor answers open task .triggered events over HTTP and keeps
// going while baton is down. It sends .started once (even if the reply was
// lost to the crash) and .finished until acknowledged; a repeated .finished
// for a completed task is ignored by baton.
type tolerantExecutor struct {
	base     func() string // baton's URL
	project  string
	mu       sync.Mutex
	started  map[string]bool
	finished map[string]bool
	done     atomic.Int64 // acknowledged task3 .finished
}

func (x *tolerantExecutor) post(ev map[string]any) bool {
	b, _ := json.Marshal(ev)
	req, _ := http.NewRequest("POST", x.base()+"/api/v1/event", bytes.NewReader(b))
	req.Header.Set("x-token", batontest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

func (x *tolerantExecutor) poll(task string) ([]event, bool) {
	req, _ := http.NewRequest("GET", x.base()+"/api/controlPlane/v1/event/triggered/"+keptn.TaskType(task, "triggered")+
		"?project="+x.project+"&pageSize=100&wait=200ms", nil)
	req.Header.Set("x-token", batontest.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	var r struct{ Events []event }
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		return nil, false
	}
	return r.Events, true
}

func (x *tolerantExecutor) run(task string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		evs, ok := x.poll(task)
		if !ok {
			time.Sleep(20 * time.Millisecond) // baton is down: retry shortly
			continue
		}
		for _, ev := range evs {
			x.answer(task, ev)
		}
	}
}

func (x *tolerantExecutor) answer(task string, trig event) {
	x.mu.Lock()
	sent, fin := x.started[trig.ID], x.finished[trig.ID]
	x.started[trig.ID] = true
	x.mu.Unlock()
	if fin {
		return
	}
	base := map[string]any{"specversion": "1.0", "source": "crash-executor", "shkeptncontext": trig.Shkeptncontext, "triggeredid": trig.ID}
	data := map[string]any{"project": trig.Data["project"], "stage": trig.Data["stage"], "service": trig.Data["service"]}
	if !sent {
		base["type"], base["data"] = keptn.TaskType(task, "started"), data
		x.post(base)
	}
	data["result"], data["status"] = "pass", "succeeded"
	base["type"], base["data"] = keptn.TaskType(task, "finished"), data
	if x.post(base) {
		x.mu.Lock()
		x.finished[trig.ID] = true
		x.mu.Unlock()
		if task == "task3" {
			x.done.Add(1)
		}
	}
}

// TestKillMidSequenceCompletesOnce runs 40 sequences over 5 services on a
// real baton process, SIGKILLs it while executors are answering tasks,
// restarts it on the same data and checks that every sequence finishes
// exactly once with each task dispatched exactly once.
func TestKillMidSequenceCompletesOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the baton binary")
	}
	dir := t.TempDir()
	p := batontest.StartProcess(t, dir)
	h := &harness{t: t, base: p.URL, project: "demo", service: "web"}
	h.setup(queueShipyard)
	services := []string{"web"}
	for i := range 4 {
		svc := fmt.Sprintf("svc%d", i)
		h.must(200, "POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": svc})
		services = append(services, svc)
	}
	var kcs []string
	for i := range 40 {
		kcs = append(kcs, h.triggerFor(services[i%len(services)], "dev", "work", nil))
	}

	x := &tolerantExecutor{project: "demo", started: map[string]bool{}, finished: map[string]bool{},
		base: func() string { return p.URL }}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, task := range []string{"task1", "task2", "task3"} {
		wg.Add(1)
		go func() { defer wg.Done(); x.run(task, stop) }()
	}
	defer func() { close(stop); wg.Wait() }()

	h.waitFor("10 sequences to finish", func() bool { return x.done.Load() >= 10 })
	p.Kill()
	killedAt := x.done.Load()
	p2 := batontest.StartProcessAt(t, dir, p.Addr)
	t.Logf("killed after %d sequences finished; restarted", killedAt)
	if p2.URL != p.URL {
		t.Fatalf("restarted on %s, want %s", p2.URL, p.URL)
	}

	h.waitFor("all sequences to finish", func() bool {
		st, b := h.do("GET", "/api/controlPlane/v1/sequence/demo?pageSize=100&state=finished", nil)
		var r struct{ TotalCount int }
		return st == 200 && json.Unmarshal(b, &r) == nil && r.TotalCount == len(kcs)
	})
	for _, kc := range kcs {
		fin := h.finished(kc, "dev", "work")
		if fin.Data["result"] != "pass" {
			t.Errorf("%s: result %v", kc, fin.Data["result"])
		}
		for _, task := range []string{"task1", "task2", "task3"} {
			if n := len(h.events(kc, keptn.TaskType(task, "triggered"))); n != 1 {
				t.Errorf("%s: %d %s.triggered events, want exactly 1", kc, n, task)
			}
		}
	}
}
