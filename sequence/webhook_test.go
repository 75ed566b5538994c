package sequence_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/batonhq/baton/server"
)

// A task answered by a webhook (fire-and-forget: baton calls the URL and
// sends .started/.finished itself) drives the sequence like any executor,
// and the webhook's response reaches the next task's payload.
func TestWebhookTaskInSequence(t *testing.T) {
	calls := make(chan string, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		calls <- string(b)
		io.WriteString(w, `{"deploymentId":"d-7"}`)
	}))
	defer rc.Close()
	h := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}}, deliveryShipyard)
	h.must(201, "POST", "/api/resource-service/v1/project/demo/stage/dev/service/web/resource", map[string]any{
		"resources": []map[string]string{{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(
			fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata: {name: deploy}
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: true
      requests:
        - url: %s/deploy
          method: POST
          payload: '{"image":"{{.data.configurationChange.values.image}}","strategy":"{{.data.deployment.deploymentstrategy}}"}'
`, rc.URL)))}},
	})
	kc := h.trigger("dev", "delivery", map[string]any{"configurationChange": map[string]any{"values": map[string]any{"image": "web:9"}}})
	if got := <-calls; got != `{"image":"web:9","strategy":"direct"}` {
		t.Errorf("webhook body %s", got)
	}
	tst := h.next("test", kc)
	resp := tst.Data["deployment"].(map[string]any)["responses"].([]any)[0].(map[string]any)
	if resp["deploymentId"] != "d-7" {
		t.Errorf("webhook response not in the next task's data: %v", tst.Data["deployment"])
	}
	h.run(tst, "pass", nil)
	h.run(h.next("release", kc), "pass", nil)
	if fin := h.finished(kc, "dev", "delivery"); fin.Data["result"] != "pass" {
		t.Errorf("finished %v", fin.Data)
	}
}
