package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestRemoteIntegrationCompletesTask is a remote execution plane: it
// registers, learns its subscription from ping, polls
// /event/triggered for its task, and answers with .started/.finished over
// POST /api/v1/event; the sequence finishes. Then baton get deliveries is run
// against the webhook-less history (empty) to check the CLI path.
func TestRemoteIntegrationCompletesTask(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	shipyard := "apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n      sequences:\n        - name: check\n          tasks:\n            - name: echo\n"
	in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))})
	in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})

	st, b := in.Do("POST", "/api/controlPlane/v1/uniform/registration", map[string]any{
		"name": "echo-service", "metadata": map[string]any{"hostname": "laptop", "location": "remote-execution-plane",
			"kubernetesmetadata": map[string]any{"namespace": "remote"}},
		"subscriptions": []map[string]any{{"event": "sh.keptn.event.echo.triggered", "filter": map[string]any{"projects": []string{"demo"}}}},
	})
	if st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	var reg struct{ ID string }
	json.Unmarshal(b, &reg)
	_, b = in.Do("PUT", "/api/controlPlane/v1/uniform/registration/"+reg.ID+"/ping", nil)
	var me struct {
		Subscriptions []struct {
			Event  string
			Filter struct{ Projects []string }
		}
	}
	json.Unmarshal(b, &me)
	if len(me.Subscriptions) != 1 {
		t.Fatalf("ping: %s", b)
	}
	sub := me.Subscriptions[0]

	st, b = in.Do("POST", "/api/v1/event", `{"type":"sh.keptn.event.dev.check.triggered","source":"test","data":{"project":"demo","stage":"dev","service":"web"}}`)
	if st != 200 {
		t.Fatalf("trigger: %d %s", st, b)
	}
	var kc struct{ KeptnContext string }
	json.Unmarshal(b, &kc)

	// Poll the way go-utils' HTTP event source does (one project filter).
	var open struct {
		Events []struct {
			ID             string `json:"id"`
			Shkeptncontext string `json:"shkeptncontext"`
			Data           map[string]any
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(open.Events) == 0 {
		_, b = in.Do("GET", "/api/controlPlane/v1/event/triggered/"+sub.Event+"?project="+sub.Filter.Projects[0], nil)
		json.Unmarshal(b, &open)
		if time.Now().After(deadline) {
			t.Fatalf("no open task: %s", b)
		}
	}
	task := open.Events[0]
	for _, phase := range []string{"started", "finished"} {
		ev := fmt.Sprintf(`{"type":"sh.keptn.event.echo.%s","source":"echo-service","shkeptncontext":%q,"triggeredid":%q,"data":{"project":"demo","stage":"dev","service":"web","result":"pass","status":"succeeded","echo":{"said":"hello"}}}`,
			phase, task.Shkeptncontext, task.ID)
		if st, b := in.Do("POST", "/api/v1/event", ev); st != 200 {
			t.Fatalf("%s: %d %s", phase, st, b)
		}
	}
	_, b = in.Do("GET", "/api/mongodb-datastore/event?keptnContext="+kc.KeptnContext+"&type=sh.keptn.event.dev.check.finished", nil)
	if !strings.Contains(string(b), `"result":"pass"`) {
		t.Fatalf("sequence not finished: %s", b)
	}
	// The task is no longer open.
	_, b = in.Do("GET", "/api/controlPlane/v1/event/triggered/"+sub.Event+"?project=demo", nil)
	json.Unmarshal(b, &open)
	if len(open.Events) != 0 {
		t.Errorf("task still open: %s", b)
	}
}

func TestCLIDeliveries(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	c := newCLI(t)
	c.env = append(c.env, "BATON_ENDPOINT="+in.URL, "BATON_TOKEN="+in.Token)
	if out := c.ok("get", "deliveries"); !strings.Contains(out, "ID") || !strings.Contains(out, "LAST ERROR") {
		t.Errorf("get deliveries: %s", out)
	}
	c.fails("not found", "replay", "12345")
	c.fails("must be a number", "get", "delivery", "x")
}
