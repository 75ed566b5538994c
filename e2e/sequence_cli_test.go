package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/client"
	"github.com/batonhq/baton/server"
)

// autoExecutor answers every open .triggered of the given tasks in project
// with .started and .finished(pass) until ctx ends, as a remote integration.
func autoExecutor(ctx context.Context, c *client.Client, project string, tasks ...string) {
	for _, task := range tasks {
		go func() {
			for ctx.Err() == nil {
				evs, err := c.OpenTriggered(ctx, "sh.keptn.event."+task+".triggered", url.Values{"project": {project}}, time.Second)
				if err != nil {
					continue
				}
				for _, raw := range evs {
					var ev struct {
						ID             string         `json:"id"`
						Shkeptncontext string         `json:"shkeptncontext"`
						Data           map[string]any `json:"data"`
					}
					json.Unmarshal(raw, &ev)
					for _, phase := range []string{"started", "finished"} {
						d := map[string]any{"project": project, "stage": ev.Data["stage"], "service": ev.Data["service"], "result": "pass", "status": "succeeded"}
						b, _ := json.Marshal(map[string]any{"type": "sh.keptn.event." + task + "." + phase, "source": "cli-test-executor",
							"shkeptncontext": ev.Shkeptncontext, "triggeredid": ev.ID, "data": d})
						c.SendEvent(ctx, b)
					}
				}
			}
		}()
	}
}

func TestCLISequences(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	c := newCLI(t)
	dir := t.TempDir()
	c.ok("auth", "--endpoint", in.URL, "--api-token", in.Token)
	shipyard := filepath.Join(dir, "shipyard.yaml")
	os.WriteFile(shipyard, []byte(`apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks: [{name: deployment}, {name: test}]
        - name: hold
          tasks: [{name: wait}]
    - name: prod
      sequences:
        - name: delivery
          triggeredOn: [{event: dev.delivery.finished}]
          tasks: [{name: deployment}]
`), 0o644)
	c.ok("create", "project", "demo", "--shipyard", shipyard)
	c.ok("create", "service", "web", "--project", "demo")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	autoExecutor(ctx, client.New(in.URL, in.Token), "demo", "deployment", "test")

	out := c.ok("trigger", "delivery", "--project", "demo", "--service", "web", "--image", "web:2", "--watch")
	for _, want := range []string{"Started sequence delivery in stage dev", "dev.delivery.triggered", "deployment.finished",
		"prod.delivery.finished", "finished"} {
		if !strings.Contains(out, want) {
			t.Errorf("trigger delivery --watch: missing %q in\n%s", want, out)
		}
	}
	kc := strings.Fields(out[strings.Index(out, "keptnContext: ")+len("keptnContext: "):])[0]
	out = c.ok("get", "sequences", "--project", "demo")
	if !strings.Contains(out, kc) || !strings.Contains(out, "dev:finished prod:finished") {
		t.Errorf("get sequences: %s", out)
	}

	// "hold" has no executor: pause, resume and abort it.
	out = c.ok("trigger", "sequence", "hold", "--project", "demo", "--stage", "dev", "--service", "web", "--data", "reason.why=test")
	hold := strings.TrimSpace(out[strings.Index(out, "keptnContext: ")+len("keptnContext: "):])
	c.ok("pause", "sequence", "--project", "demo", "--keptn-context", hold)
	if out := c.ok("get", "sequences", "--project", "demo", "--keptn-context", hold); !strings.Contains(out, "paused") {
		t.Errorf("after pause: %s", out)
	}
	c.ok("resume", "sequence", "--project", "demo", "--keptn-context", hold, "--stage", "dev")
	c.ok("abort", "sequence", "--project", "demo", "--keptn-context", hold)
	if out := c.ok("get", "sequences", "--project", "demo", "--state", "aborted", "-o", "json"); !strings.Contains(out, hold) {
		t.Errorf("after abort: %s", out)
	}
	st, body := in.Do("GET", "/api/mongodb-datastore/event?type=sh.keptn.event.wait.triggered&keptnContext="+hold, nil)
	if st != 200 || !strings.Contains(string(body), `"why":"test"`) {
		t.Errorf("--data reason.why=test not nested in the task payload: %s", body)
	}
	c.fails("no sequence with keptnContext", "abort", "sequence", "--project", "demo", "--keptn-context", "00000000-0000-4000-8000-000000000000")
}
