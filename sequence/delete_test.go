package sequence_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

type deliveryList struct {
	Deliveries []struct {
		Kind, State, LastError string
		Attempts               int
	}
}

func (h *harness) deliveries(kind string) deliveryList {
	h.t.Helper()
	var l deliveryList
	if err := json.Unmarshal(h.must(200, "GET", "/api/baton/v1/deliveries?kind="+kind, nil), &l); err != nil {
		h.t.Fatal(err)
	}
	return l
}

func (h *harness) executions(q string) []map[string]any {
	h.t.Helper()
	var r struct{ SequenceExecutions []map[string]any }
	if err := json.Unmarshal(h.must(200, "GET", "/api/controlPlane/v1/sequence-execution?"+q, nil), &r); err != nil {
		h.t.Fatal(err)
	}
	return r.SequenceExecutions
}

// Deleting a project ends, in its transaction, its running and waiting
// sequences, their timers and its pending webhook calls; a project
// re-created with the same name runs sequences at once.
func TestDeleteProjectEndsItsWork(t *testing.T) {
	var calls atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer rc.Close()
	// A fake clock: the failed call's retry never falls due during the test.
	clk := clock.NewFake(time.Now())
	h := start(t, server.Config{Clock: clk, AllowWebhookTargets: []string{"127.0.0.1"}}, deliveryShipyard)
	h.must(201, "POST", "/api/resource-service/v1/project/demo/resource", map[string]any{
		"resources": []map[string]string{{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(
			`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: true
      requests:
        - url: ` + rc.URL + `/deploy
          method: POST
`))}},
	})
	running := h.trigger("dev", "delivery", nil)
	waiting := h.trigger("dev", "delivery", nil)
	h.waitFor("a failed webhook call waiting for its retry", func() bool {
		l := h.deliveries("webhook")
		return len(l.Deliveries) == 1 && l.Deliveries[0].State == "pending" && l.Deliveries[0].Attempts == 1
	})
	if n := len(h.executions("project=demo&status=waiting")); n != 1 {
		t.Fatalf("%d waiting executions before the delete, want 1", n)
	}

	h.must(200, "DELETE", "/api/controlPlane/v1/project/demo", nil)

	if l := h.deliveries("webhook"); l.Deliveries[0].State != "dead" || !strings.Contains(l.Deliveries[0].LastError, "project demo was deleted") {
		t.Errorf("webhook call after the delete: %+v", l.Deliveries[0])
	}
	for _, d := range h.deliveries("sequence.timer").Deliveries {
		if d.State == "pending" {
			t.Errorf("a sequence timer is still pending: %+v", d)
		}
	}
	if ex := h.executions("project=demo"); len(ex) != 0 {
		t.Errorf("executions of the deleted project remain: %v", ex)
	}
	for _, kc := range []string{running, waiting} {
		fin := h.finished(kc, "dev", "delivery")
		if fin.Data["status"] != "aborted" || !strings.Contains(fin.Data["message"].(string), "project demo was deleted") {
			t.Errorf("%s ended with %v", kc, fin.Data)
		}
	}

	h.setup(deliveryShipyard)
	again := h.trigger("dev", "delivery", nil)
	h.next("deployment", again) // dispatched at once: nothing of the old project holds the slot
	if st := h.sequenceState(again); st["state"] != "started" {
		t.Errorf("re-created project: %v", st)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the deleted project's webhook was called %d times, want 1", n)
	}
}

// Deleting a service aborts its sequences (listed with the reason) and
// leaves the project's other services running; re-created, it runs at once.
func TestDeleteServiceEndsItsSequences(t *testing.T) {
	h := start(t, server.Config{}, deliveryShipyard)
	h.must(200, "POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "api"})
	web := h.trigger("dev", "delivery", nil)
	h.trigger("dev", "delivery", nil) // waits behind web
	api := h.triggerFor("api", "dev", "delivery", nil)
	h.next("deployment", web)

	h.must(200, "DELETE", "/api/controlPlane/v1/project/demo/service/web", nil)

	st := h.sequenceState(web)
	if st["state"] != "aborted" || st["result"] != "fail" || !strings.Contains(st["message"].(string), "service web was deleted") {
		t.Errorf("web's sequence after the delete: %v", st)
	}
	if n := len(h.executions("project=demo&service=web&status=waiting")); n != 0 {
		t.Errorf("%d of web's sequences still wait", n)
	}
	if st := h.sequenceState(api); st["state"] != "started" {
		t.Errorf("api's sequence: %v", st)
	}
	h.must(200, "POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})
	again := h.trigger("dev", "delivery", nil)
	h.next("deployment", again)
}
