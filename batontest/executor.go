package batontest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// TriggeredEvent is an open .triggered event as a remote integration sees it.
type TriggeredEvent struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	Shkeptncontext string         `json:"shkeptncontext"`
	GitCommitID    string         `json:"gitcommitid"`
	Data           map[string]any `json:"data"`
}

// Answer returns the data of the .finished event for an open event (scope,
// result and status default to the event's scope, pass and succeeded).
type Answer func(ev TriggeredEvent) map[string]any

// Executor is a remote execution plane for tests, the way go-utils'
// HTTP event source works: for each task it long-polls
// GET /api/controlPlane/v1/event/triggered/sh.keptn.event.<task>.triggered
// and answers every open event with .started and .finished through
// POST /api/v1/event.
type Executor struct {
	t       testing.TB
	url     string
	token   string
	project string
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// RunExecutor answers the given tasks of project until the test ends.
func RunExecutor(t testing.TB, baseURL, token, project string, tasks map[string]Answer) *Executor {
	ctx, cancel := context.WithCancel(context.Background())
	x := &Executor{t: t, url: baseURL, token: token, project: project, cancel: cancel}
	for task, answer := range tasks {
		x.wg.Add(1)
		go x.serve(ctx, task, answer)
	}
	t.Cleanup(x.Stop)
	return x
}

// Stop ends the executor and waits for its pollers.
func (x *Executor) Stop() {
	x.cancel()
	x.wg.Wait()
}

func (x *Executor) serve(ctx context.Context, task string, answer Answer) {
	defer x.wg.Done()
	path := "/api/controlPlane/v1/event/triggered/sh.keptn.event." + task + ".triggered?wait=2s&project=" + url.QueryEscape(x.project)
	for ctx.Err() == nil {
		var page struct{ Events []TriggeredEvent }
		if err := x.call(ctx, "GET", path, nil, &page); err != nil {
			if ctx.Err() == nil {
				x.t.Errorf("executor %s: %v", task, err)
			}
			return
		}
		for _, ev := range page.Events {
			if err := x.answer(ctx, task, ev, answer(ev)); err != nil {
				if ctx.Err() == nil {
					x.t.Errorf("executor %s: %v", task, err)
				}
				return
			}
		}
	}
}

func (x *Executor) answer(ctx context.Context, task string, ev TriggeredEvent, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	for _, k := range []string{"project", "stage", "service"} {
		if _, ok := data[k]; !ok {
			data[k] = ev.Data[k]
		}
	}
	if _, ok := data["result"]; !ok {
		data["result"] = "pass"
	}
	if _, ok := data["status"]; !ok {
		data["status"] = "succeeded"
	}
	scope := map[string]any{"project": data["project"], "stage": data["stage"], "service": data["service"]}
	if err := x.send(ctx, task, "started", ev, scope); err != nil {
		return err
	}
	return x.send(ctx, task, "finished", ev, data)
}

func (x *Executor) send(ctx context.Context, task, phase string, ev TriggeredEvent, data map[string]any) error {
	body := map[string]any{"type": "sh.keptn.event." + task + "." + phase, "source": "test-executor", "specversion": "1.0",
		"shkeptncontext": ev.Shkeptncontext, "triggeredid": ev.ID, "data": data}
	return x.call(ctx, "POST", "/api/v1/event", body, nil)
}

func (x *Executor) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, x.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("x-token", x.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
