package sequence_test

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// logLines returns the messages logged to l so far with their attributes.
func logLines(t *testing.T, l *batontest.SyncBuffer) []map[string]any {
	var out []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		out = append(out, m)
	}
	return out
}

// At info the server log has one line per sequence start and end (with the
// result), one per delivery that failed for good, and nothing per task,
// event or request.
func TestInfoLogIsOneLinePerSequence(t *testing.T) {
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such release", http.StatusBadRequest) // permanent: fails for good at once
	}))
	defer rc.Close()
	var log batontest.SyncBuffer
	h := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"},
		Logger: slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelInfo}))}, deliveryShipyard)
	h.must(201, "POST", "/api/resource-service/v1/project/demo/resource", map[string]any{
		"resources": []map[string]string{{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(
			"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: sh.keptn.event.release.triggered\n" +
				"      sendFinished: true\n      requests: [{url: '" + rc.URL + "/release', method: POST}]\n"))}},
	})
	kc := h.trigger("dev", "delivery", nil)
	h.run(h.next("deployment", kc), "pass", nil)
	h.run(h.next("test", kc), "pass", nil)
	h.waitFor("the sequence to fail on the release webhook", func() bool {
		return len(h.events(kc, "sh.keptn.event.dev.delivery.finished")) == 1
	})
	h.triggerFor("web", "qa", "delivery", nil) // refused: no stage qa
	h.waitFor("three lines", func() bool {
		n := 0
		for _, l := range logLines(t, &log) {
			if l["msg"] == "sequence ended" || l["msg"] == "outbox item parked dead" {
				n++
			}
		}
		return n == 3
	})

	counts := map[string]int{}
	for _, l := range logLines(t, &log) {
		counts[l["msg"].(string)]++
		switch l["msg"] {
		case "sequence ended":
			if l["result"] != "fail" || l["message"] == nil || l["project"] != "demo" {
				t.Errorf("ended line: %v", l)
			}
		case "sequence started", "outbox item parked dead":
		case "baton serving", "database passed its integrity check": // once, at start
		default:
			t.Errorf("unexpected line at info: %v", l)
		}
	}
	if counts["sequence started"] != 1 || counts["sequence ended"] != 2 || counts["outbox item parked dead"] != 1 {
		t.Errorf("lines: %v", counts)
	}
}
