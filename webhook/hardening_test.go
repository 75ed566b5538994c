package webhook_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

// A templated header that renders to a value with CR or LF can never be
// sent: the task fails at once instead of being retried 8 times.
func TestHeaderWithNewlineFailsAtOnce(t *testing.T) {
	fake := clock.NewFake(time.Now())
	rc := newReceiver(t, 200, "")
	in := setup(t, server.Config{Clock: fake, AllowWebhookTargets: []string{"127.0.0.1"}})
	yaml := `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.crlf.triggered
      sendFinished: true
      requests:
        - url: "` + rc.URL + `"
          method: POST
          headers: [{key: X-Team, value: '{{printf "a%cInjected: 1" 10}}'}]
`
	if st, b := putWebhook(t, in, "", yaml); st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	kc := trigger(t, in, "crlf", "dev")
	fin := waitEvents(t, in, kc, "sh.keptn.event.crlf.finished", 1, func() { fake.Advance(10 * time.Minute) })
	if msg, _ := fin[0].Data["message"].(string); fin[0].Data["status"] != "errored" || !strings.Contains(msg, "X-Team") {
		t.Errorf("finished: %v", fin[0].Data)
	}
	// The task's .finished commits before its delivery is parked as dead, so
	// poll the dead list with a deadline.
	var dl struct{ Deliveries []struct{ Attempts int } }
	for deadline := time.Now().Add(15 * time.Second); ; {
		_, b := in.Do("GET", "/api/baton/v1/deliveries?kind=webhook&state=dead", nil)
		dl.Deliveries = nil
		json.Unmarshal(b, &dl)
		if len(dl.Deliveries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dead delivery: %s", b)
		}
		time.Sleep(10 * time.Millisecond) // polling the delivery list with a deadline
	}
	if len(dl.Deliveries) != 1 || dl.Deliveries[0].Attempts != 1 {
		t.Errorf("dead deliveries %+v; want one with a single attempt", dl.Deliveries)
	}
}

// URLs that are not HTTP are refused when the configuration is uploaded,
// not when the webhook is called.
func TestNonHTTPURLRefusedAtUpload(t *testing.T) {
	in := setup(t, server.Config{})
	head := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: "
	alpha := strings.Replace(head, "v1beta1", "v1alpha1", 1)
	for _, y := range []string{
		head + "[{url: 'file:///etc/passwd'}]\n",
		head + "[{url: 'gopher://example.com:70/x'}]\n",
		head + "[{url: 'ftp://example.com/{{.data.project}}'}]\n",
		head + "[{url: 'example.com/hook'}]\n",
		alpha + "[\"curl file:///etc/passwd\"]\n",
	} {
		if st, b := putWebhook(t, in, "", y); st != 400 || !strings.Contains(string(b), "http://") {
			t.Errorf("accepted or wrong error: %d %s\n%s", st, b, y)
		}
	}
	for _, y := range []string{
		head + "[{url: 'HTTPS://example.com/hook'}]\n",
		head + "[{url: '{{.data.url}}'}]\n",
		head + "[{url: 'http://{{.data.host}}/x'}]\n",
	} {
		if st, b := putWebhook(t, in, "", y); st != 201 {
			t.Errorf("refused: %d %s\n%s", st, b, y)
		}
	}
}
