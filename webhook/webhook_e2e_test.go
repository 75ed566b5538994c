package webhook_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

const shipyard = "apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n    - name: prod\n"

type received struct {
	Method, Path string
	Header       http.Header
	Body         string
}

// receiver is a real HTTP server on loopback that records requests and
// answers with status and body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []received
	got    chan received
	status int
	answer string
}

func newReceiver(t *testing.T, status int, answer string) *receiver {
	rc := &receiver{got: make(chan received, 100), status: status, answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec := received{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), Body: string(b)}
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, rec)
		st, ans := rc.status, rc.answer
		rc.mu.Unlock()
		rc.got <- rec
		w.WriteHeader(st)
		io.WriteString(w, ans)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("receiver got no request")
	}
	return received{}
}

func setup(t *testing.T, cfg server.Config) *batontest.Instance {
	t.Helper()
	in := batontest.Start(t, cfg)
	if st, b := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))}); st != 201 {
		t.Fatalf("project: %d %s", st, b)
	}
	if st, b := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"}); st != 200 {
		t.Fatalf("service: %d %s", st, b)
	}
	return in
}

func putWebhook(t *testing.T, in *batontest.Instance, level, yaml string) (int, []byte) {
	t.Helper()
	return in.Do("POST", "/api/resource-service/v1/project/demo"+level+"/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(yaml))}}})
}

func trigger(t *testing.T, in *batontest.Instance, task, stage string) string {
	t.Helper()
	ev := map[string]any{"type": "sh.keptn.event." + task + ".triggered", "source": "test", "shkeptncontext": "",
		"data": map[string]any{"project": "demo", "stage": stage, "service": "web", "labels": map[string]string{"team": "a"},
			"configurationChange": map[string]any{"values": map[string]any{"image": "web:2"}}}}
	st, b := in.Do("POST", "/api/v1/event", ev)
	if st != 200 {
		t.Fatalf("trigger: %d %s", st, b)
	}
	var r struct{ KeptnContext string }
	json.Unmarshal(b, &r)
	return r.KeptnContext
}

type event struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Source      string         `json:"source"`
	TriggeredID string         `json:"triggeredid"`
	Data        map[string]any `json:"data"`
}

// eventsOf returns the events of a context with the given type, oldest first.
func eventsOf(t *testing.T, in *batontest.Instance, kc, typ string) []event {
	t.Helper()
	_, b := in.Do("GET", "/api/mongodb-datastore/event?pageSize=100&keptnContext="+kc+"&type="+url.QueryEscape(typ), nil)
	var p struct{ Events []event }
	json.Unmarshal(b, &p)
	for i, j := 0, len(p.Events)-1; i < j; i, j = i+1, j-1 {
		p.Events[i], p.Events[j] = p.Events[j], p.Events[i]
	}
	return p.Events
}

// waitEvents polls the history (with a deadline) until n events of typ exist;
// tick is called between polls (to advance a fake clock).
func waitEvents(t *testing.T, in *batontest.Instance, kc, typ string, n int, tick func()) []event {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs := eventsOf(t, in, kc, typ)
		if len(evs) >= n {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s events, want %d", len(evs), typ, n)
		}
		if tick != nil {
			tick()
		}
		time.Sleep(10 * time.Millisecond) // polling the history with a deadline
	}
}

func createSecret(t *testing.T, in *batontest.Instance, value string) {
	t.Helper()
	if st, b := in.Do("POST", "/api/secrets/v1/secret", map[string]any{"name": "hook-creds", "scope": "keptn-webhook-service",
		"data": map[string]string{"token": value}}); st != 201 {
		t.Fatalf("secret: %d %s", st, b)
	}
}

func TestFireAndForgetV1Beta1(t *testing.T) {
	// The endpoint echoes the secret it was sent: it must not reach the history.
	rc := newReceiver(t, 200, `{"deploymentId":"d-42","status":"RUNNING","echo":"Bearer s3cr3t-token"}`)
	in := setup(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	createSecret(t, in, "s3cr3t-token")
	st, b := putWebhook(t, in, "/stage/dev/service/web", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata:
  name: apprunner
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: true
      envFrom:
        - name: token
          secretRef:
            name: hook-creds
            key: token
      requests:
        - url: %s/deploy/{{.data.project}}
          method: POST
          headers:
            - key: Authorization
              value: "Bearer {{.env.token}}"
            - key: Content-Type
              value: application/json
          payload: '{"image":"{{.data.configurationChange.values.image}}","context":"{{.shkeptncontext}}"}'
`, rc.URL))
	if st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	kc := trigger(t, in, "deployment", "dev")
	req := rc.next(t)
	if req.Method != "POST" || req.Path != "/deploy/demo" || req.Header.Get("Authorization") != "Bearer s3cr3t-token" ||
		req.Body != `{"image":"web:2","context":"`+kc+`"}` || req.Header.Get("Idempotency-Key") == "" {
		t.Fatalf("request = %+v", req)
	}
	started := waitEvents(t, in, kc, "sh.keptn.event.deployment.started", 1, nil)
	fin := waitEvents(t, in, kc, "sh.keptn.event.deployment.finished", 1, nil)
	trig := eventsOf(t, in, kc, "sh.keptn.event.deployment.triggered")[0]
	if started[0].TriggeredID != trig.ID || fin[0].TriggeredID != trig.ID || fin[0].Source != "webhook-service" {
		t.Errorf("correlation: started %+v finished %+v triggered %s", started[0], fin[0], trig.ID)
	}
	d := fin[0].Data
	if d["result"] != "pass" || d["status"] != "succeeded" || d["project"] != "demo" || d["stage"] != "dev" || d["service"] != "web" {
		t.Errorf("finished data = %v", d)
	}
	resp := d["deployment"].(map[string]any)["responses"].([]any)[0].(map[string]any)
	if resp["deploymentId"] != "d-42" || resp["echo"] != "Bearer ***" {
		t.Errorf("responses = %v", d["deployment"])
	}
	_, all := in.Do("GET", "/api/mongodb-datastore/event?pageSize=100&keptnContext="+kc, nil)
	if strings.Contains(string(all), "s3cr3t-token") {
		t.Errorf("secret stored in the event history: %s", all)
	}
	// The call is recorded as a delivery.
	_, b = in.Do("GET", "/api/baton/v1/deliveries?kind=webhook", nil)
	var dl struct {
		Deliveries []struct {
			ID    int64
			State string
		}
	}
	json.Unmarshal(b, &dl)
	if len(dl.Deliveries) != 1 {
		t.Fatalf("deliveries = %s", b)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, b = in.Do("GET", fmt.Sprintf("/api/baton/v1/deliveries/%d", dl.Deliveries[0].ID), nil)
		if strings.Contains(string(b), `"state":"done"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery = %s", b)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	if !strings.Contains(string(b), `"status":200`) || !strings.Contains(string(b), "d-42") || strings.Contains(string(b), "s3cr3t-token") {
		t.Errorf("delivery record = %s", b)
	}
}

func TestFireAndForgetV1Alpha1Curl(t *testing.T) {
	rc := newReceiver(t, 201, "accepted")
	in := setup(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	createSecret(t, in, "abc123")
	// Stage-level file; a quoted value with a space and a template per word.
	if st, b := putWebhook(t, in, "/stage/dev", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1alpha1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.test.triggered
      sendFinished: true
      envFrom:
        - {name: token, secretRef: {name: hook-creds, key: token}}
      requests:
        - "curl --request PUT --header 'x-token: {{.env.token}}' --header 'Content-Type: application/json' --data '{\"svc\": \"{{.data.service}}\"}' %s/run/{{.data.stage}}"
`, rc.URL)); st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	kc := trigger(t, in, "test", "dev")
	req := rc.next(t)
	if req.Method != "PUT" || req.Path != "/run/dev" || req.Header.Get("x-token") != "abc123" || req.Body != `{"svc": "web"}` {
		t.Fatalf("request = %+v", req)
	}
	fin := waitEvents(t, in, kc, "sh.keptn.event.test.finished", 1, nil)
	if r := fin[0].Data["test"].(map[string]any)["responses"].([]any)[0]; r != "accepted" {
		t.Errorf("non-JSON response kept as string: %v", r)
	}
	// The stage-level file does not apply to another stage.
	kc2 := trigger(t, in, "test", "prod")
	select {
	case r := <-rc.got:
		t.Fatalf("prod event called the dev webhook: %+v", r)
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(eventsOf(t, in, kc2, "sh.keptn.event.test.started")); n != 0 {
		t.Errorf("prod got %d started events", n)
	}
}

func TestFireAndWait(t *testing.T) {
	rc := newReceiver(t, 202, `{"accepted":true}`)
	in := setup(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	if st, b := putWebhook(t, in, "", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: false
      requests:
        - url: %[1]s/one
          method: POST
          payload: '{"triggeredid":"{{.id}}","context":"{{.shkeptncontext}}"}'
        - url: %[1]s/two
          method: POST
          payload: '{"triggeredid":"{{.id}}"}'
`, rc.URL)); st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	kc := trigger(t, in, "deployment", "dev")
	one, two := rc.next(t), rc.next(t)
	if one.Path != "/one" || two.Path != "/two" {
		t.Fatalf("requests %s %s", one.Path, two.Path)
	}
	var p struct{ Triggeredid, Context string }
	json.Unmarshal([]byte(one.Body), &p)
	// One .started per request, and baton sends no .finished of its own.
	waitEvents(t, in, kc, "sh.keptn.event.deployment.started", 2, nil)
	time.Sleep(200 * time.Millisecond) // give a wrong .finished the chance to appear
	if n := len(eventsOf(t, in, kc, "sh.keptn.event.deployment.finished")); n != 0 {
		t.Fatalf("baton sent %d finished events in fire-and-wait", n)
	}
	// The service reports progress and its own result with custom data.
	for _, ev := range []string{
		fmt.Sprintf(`{"type":"sh.keptn.event.deployment.status.changed","source":"apprunner","shkeptncontext":%q,"triggeredid":%q,"data":{"project":"demo","stage":"dev","service":"web","message":"50%% rolled out"}}`, p.Context, p.Triggeredid),
		fmt.Sprintf(`{"type":"sh.keptn.event.deployment.finished","source":"apprunner","shkeptncontext":%q,"triggeredid":%q,"data":{"project":"demo","stage":"dev","service":"web","result":"pass","status":"succeeded","deployment":{"url":"https://web.example.com"}}}`, p.Context, p.Triggeredid),
	} {
		if st, b := in.Do("POST", "/api/v1/event", ev); st != 200 {
			t.Fatalf("callback: %d %s", st, b)
		}
	}
	fin := eventsOf(t, in, kc, "sh.keptn.event.deployment.finished")
	if len(fin) != 1 || fin[0].Source != "apprunner" {
		t.Fatalf("finished = %+v", fin)
	}
	if n := len(eventsOf(t, in, kc, "sh.keptn.event.deployment.status.changed")); n != 1 {
		t.Errorf("status.changed stored %d times", n)
	}
}

func TestFailures(t *testing.T) {
	fake := clock.NewFake(time.Now())
	tick := func() { fake.Advance(10 * time.Minute) }
	bad := newReceiver(t, 403, `{"error":"token s3cr3t-token is not allowed"}`)
	flaky := newReceiver(t, 503, "try later")
	closed := newReceiver(t, 200, "")
	closedURL := closed.URL
	closed.Close() // connection refused from now on
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); slow.Close() })

	in := setup(t, server.Config{Clock: fake, AllowWebhookTargets: []string{"127.0.0.1"}, WebhookTimeout: 200 * time.Millisecond})
	createSecret(t, in, "s3cr3t-token")
	_, refusedPort, _ := net.SplitHostPort(strings.TrimPrefix(bad.URL, "http://"))
	cases := []struct {
		task, url, extra string
		want             []string
	}{
		{"status403", bad.URL + "/x?t={{.env.token}}", "", []string{"answered 403", "is not allowed", "t=***"}},
		{"status503", flaky.URL, "", []string{"answered 503", "try later"}},
		{"connection", closedURL, "", []string{"failed"}},
		{"timeout", slow.URL, "", []string{"timed out"}},
		{"template", bad.URL + "/{{.data.nope}}", "", []string{"map has no entry for key", "nope"}},
		{"refused", "http://127.0.0.2:" + refusedPort + "/", "", []string{"refused"}},
		{"metadata", "http://169.254.169.254/latest/meta-data/", "", []string{"refused"}},
		{"nosecret", bad.URL, "\n      envFrom:\n        - {name: x, secretRef: {name: missing, key: k}}", []string{"secret missing"}},
	}
	var hooks strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&hooks, `
    - type: sh.keptn.event.%s.triggered
      sendFinished: true%s
      envFrom:
        - {name: token, secretRef: {name: hook-creds, key: token}}
      requests:
        - url: "%s"
          method: POST
          headers: [{key: X-Token, value: "{{.env.token}}"}]
`, c.task, c.extra, c.url)
	}
	yaml := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:" + hooks.String()
	// "nosecret" lists envFrom twice in this generated file; keep only its own.
	yaml = strings.Replace(yaml, "      envFrom:\n        - {name: x, secretRef: {name: missing, key: k}}\n      envFrom:\n        - {name: token, secretRef: {name: hook-creds, key: token}}", "      envFrom:\n        - {name: x, secretRef: {name: missing, key: k}}", 1)
	if st, b := putWebhook(t, in, "", yaml); st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	// The allow-list names 127.0.0.1 only: 127.0.0.2 is loopback and refused.
	for _, c := range cases {
		t.Run(c.task, func(t *testing.T) {
			kc := trigger(t, in, c.task, "dev")
			fin := waitEvents(t, in, kc, "sh.keptn.event."+c.task+".finished", 1, tick)
			d := fin[0].Data
			msg, _ := d["message"].(string)
			if d["result"] != "fail" || d["status"] != "errored" {
				t.Errorf("finished = %v", d)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "s3cr3t-token") {
				t.Errorf("secret leaked: %q", msg)
			}
			if n := len(eventsOf(t, in, kc, "sh.keptn.event."+c.task+".started")); n != 1 {
				t.Errorf("%d started events", n)
			}
		})
	}
	// Transient failures were retried before failing; permanent ones were not.
	// A task's .finished commits before its delivery is parked as dead, so
	// poll the dead list with a deadline.
	var dl struct {
		Deliveries []struct {
			ID       int64
			Attempts int
			Key      string
		}
	}
	for deadline := time.Now().Add(15 * time.Second); ; {
		_, b := in.Do("GET", "/api/baton/v1/deliveries?kind=webhook&state=dead&pageSize=100", nil)
		dl.Deliveries = nil
		json.Unmarshal(b, &dl)
		if len(dl.Deliveries) == len(cases) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead deliveries: %s", b)
		}
		time.Sleep(10 * time.Millisecond) // polling the delivery list with a deadline
	}
	attempts := map[int]int{}
	for _, d := range dl.Deliveries {
		attempts[d.Attempts]++
	}
	if attempts[1] != 5 || attempts[8] != 3 { // 403, template, refused, metadata, nosecret once; 503, connection, timeout 8 times
		t.Errorf("attempt counts = %v", attempts)
	}
	// A dead delivery can be replayed; a live one cannot.
	if st, b := in.Do("POST", fmt.Sprintf("/api/baton/v1/deliveries/%d/replay", dl.Deliveries[0].ID), nil); st != 200 {
		t.Errorf("replay: %d %s", st, b)
	}
	if st, _ := in.Do("POST", "/api/baton/v1/deliveries/999999/replay", nil); st != 404 {
		t.Errorf("replay missing: %d", st)
	}
}

func TestInvalidConfigRefusedAtUpload(t *testing.T) {
	in := setup(t, server.Config{})
	for _, y := range []string{
		"apiVersion: webhookconfig.keptn.sh/v2\nkind: WebhookConfig\n",
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - requests: [{url: http://x}]\n",
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [{url: http://x, method: TRACE}]\n",
		"apiVersion: webhookconfig.keptn.sh/v1alpha1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [\"curl -o /etc/passwd http://x\"]\n",
		"apiVersion: webhookconfig.keptn.sh/v1alpha1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [\"wget http://x\"]\n",
	} {
		if st, b := putWebhook(t, in, "", y); st != 400 || !strings.Contains(string(b), "webhook") {
			t.Errorf("config accepted or wrong error: %d %s\n%s", st, b, y)
		}
	}
}

func TestSubscriptionLinkedWebhook(t *testing.T) {
	rc := newReceiver(t, 200, "{}")
	in := setup(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	st, b := in.Do("POST", "/api/controlPlane/v1/uniform/registration", map[string]any{
		"name": "webhook-service", "metadata": map[string]any{"hostname": "node1", "kubernetesmetadata": map[string]any{"namespace": "keptn"}},
		"subscriptions": []map[string]any{{"event": "sh.keptn.event.deployment.triggered", "filter": map[string]any{"projects": []string{"demo"}, "stages": []string{"prod"}}}},
	})
	if st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	var reg struct{ ID string }
	json.Unmarshal(b, &reg)
	_, b = in.Do("GET", "/api/controlPlane/v1/uniform/registration/"+reg.ID+"/subscription", nil)
	var subs []struct{ ID string }
	json.Unmarshal(b, &subs)
	if len(subs) != 1 {
		t.Fatalf("subscriptions: %s", b)
	}
	if st, b := putWebhook(t, in, "", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      subscriptionID: %s
      sendFinished: true
      requests: [{url: "%s/hook", method: POST}]
`, subs[0].ID, rc.URL)); st != 201 {
		t.Fatalf("upload: %d %s", st, b)
	}
	trigger(t, in, "deployment", "dev") // filtered out: subscription is for prod
	kc := trigger(t, in, "deployment", "prod")
	if r := rc.next(t); r.Path != "/hook" {
		t.Fatalf("got %+v", r)
	}
	waitEvents(t, in, kc, "sh.keptn.event.deployment.finished", 1, nil)
	select {
	case r := <-rc.got:
		t.Fatalf("dev event also called the webhook: %+v", r)
	default:
	}
}
