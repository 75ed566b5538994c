package bridge_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/server"
)

// hookReceiver answers webhook calls with a status the test sets.
type hookReceiver struct {
	*httptest.Server
	status atomic.Int32
	calls  chan string
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{calls: make(chan string, 16)}
	h.status.Store(int32(status))
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(int(h.status.Load()))
		fmt.Fprintf(w, `{"answer": "status %d"}`, h.status.Load())
		h.calls <- string(b)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) next(t *testing.T) {
	t.Helper()
	select {
	case <-h.calls:
	case <-time.After(20 * time.Second):
		t.Fatal("the webhook was not called")
	}
}

func (f *fixture) webhook(project, url string) {
	f.t.Helper()
	cfg := `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata: {name: hooks}
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: true
      requests:
        - url: "` + url + `/deploy"
          method: POST
`
	f.api(201, "POST", "/api/resource-service/v1/project/"+project+"/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(cfg))}}}, nil)
}

// waitDelivery polls the deliveries API until one is in state.
func (f *fixture) waitDelivery(state string) int {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var out struct {
			Deliveries []struct {
				ID int `json:"id"`
			} `json:"deliveries"`
		}
		f.api(200, "GET", "/api/baton/v1/deliveries?kind=webhook&state="+state, nil, &out)
		if len(out.Deliveries) > 0 {
			return out.Deliveries[0].ID
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
	f.t.Fatalf("no delivery in state %s", state)
	return 0
}

func wantAll(t *testing.T, what, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, page)
	}
}

func TestKeptnPages(t *testing.T) {
	hook := newHookReceiver(t, http.StatusForbidden)
	f := newFixture(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	f.project("shop", "cart", "web")
	f.webhook("shop", hook.URL)
	f.login()

	env := f.mustGet("/bridge/project/shop")
	wantAll(t, "empty environment", env, "no sequence yet", "Trigger a sequence", `name="data"`, "No approval is waiting")

	// Trigger from the form; a bad data field changes nothing.
	resp := f.post("/bridge/project/shop/trigger", url.Values{"stage": {"dev"}, "sequence": {"delivery"}, "service": {"cart"}, "data": {"[1,2]"}}, nil)
	if page := body(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "must be a JSON object") {
		t.Fatalf("bad data: %d %s", resp.StatusCode, page)
	}
	resp = f.post("/bridge/project/shop/trigger", url.Values{"stage": {"dev"}, "sequence": {"delivery"}, "service": {"cart"},
		"data": {`{"configurationChange": {"values": {"image": "cart:2"}}}`}}, nil)
	loc := resp.Header.Get("Location")
	m := regexp.MustCompile(`/bridge/project/shop/sequence/([0-9a-f-]+)\?done=triggered`).FindStringSubmatch(loc)
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("trigger: %d %q", resp.StatusCode, loc)
	}
	kc := m[1]

	// The webhook answers 403: the delivery goes dead and the task fails.
	hook.next(t)
	dead := f.waitDelivery("dead")
	seq := f.mustGet(loc)
	wantAll(t, "sequence detail", seq, "Sequence triggered.", "Stage dev", "deployment", "Webhook calls", "HTTP 403",
		`status 403`, "Replay", "/bridge/project/shop/event/")

	// Deliveries page lists it; replay with the receiver now healthy.
	dl := f.mustGet("/bridge/deliveries?state=dead")
	wantAll(t, "deliveries", dl, fmt.Sprintf("Replay delivery %d", dead), "webhook", `href="/bridge/event/`)
	evLink := regexp.MustCompile(`href="(/bridge/event/[0-9a-f-]+)"`).FindStringSubmatch(dl)[1]
	if resp, err := f.client.Get(f.in.URL + evLink); err != nil || resp.Header.Get("Location") != "/bridge/project/shop/sequence/"+kc {
		t.Errorf("delivery's event link: %v %v", resp, err)
	}
	hook.status.Store(http.StatusOK)
	resp = f.post(fmt.Sprintf("/bridge/deliveries/%d/replay", dead), nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bridge/deliveries?done=replayed" {
		t.Fatalf("replay: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	hook.next(t)
	f.waitDelivery("done")
	resp = f.post(fmt.Sprintf("/bridge/deliveries/%d/replay", dead), nil, nil)
	if page := body(resp); resp.StatusCode != http.StatusConflict || !strings.Contains(page, "not dead") {
		t.Errorf("replay of a done delivery: %d %s", resp.StatusCode, page)
	}

	// Environment: the cell shows the latest sequence with state and result.
	env = f.mustGet("/bridge/project/shop")
	wantAll(t, "environment", env, "/bridge/project/shop/sequence/"+kc, "<strong>delivery</strong>", "finished", "fail")

	// Sequences list and its filters.
	list := f.mustGet("/bridge/project/shop/sequences?state=finished&stage=dev&service=cart&name=delivery")
	wantAll(t, "sequence list", list, "/bridge/project/shop/sequence/"+kc, "dev:")
	if list := f.mustGet("/bridge/project/shop/sequences?service=web"); !strings.Contains(list, "No sequence matches") {
		t.Errorf("service filter kept other services:\n%s", list)
	}
	wantAll(t, "result filter fail", f.mustGet("/bridge/project/shop/sequences?result=fail"), "/bridge/project/shop/sequence/"+kc)
	if list := f.mustGet("/bridge/project/shop/sequences?result=pass"); !strings.Contains(list, "No sequence matches") {
		t.Errorf("result filter pass kept a failed sequence:\n%s", list)
	}
	if st, page := f.get("/bridge/project/shop/sequences?from=yesterday"); st != 400 || !strings.Contains(page, "is not a time") {
		t.Errorf("bad time filter: %d", st)
	}
	if st, page := f.get("/bridge/project/nope/sequences"); st != 404 || !strings.Contains(page, "no project") {
		t.Errorf("unknown project: %d %s", st, page)
	}

	// Raw JSON on demand.
	evID := regexp.MustCompile(`/bridge/project/shop/event/([0-9a-f-]+)`).FindStringSubmatch(seq)[1]
	raw := f.mustGet("/bridge/project/shop/event/" + evID)
	wantAll(t, "raw event", raw, "&#34;shkeptncontext&#34;: &#34;"+kc)

	// Manual approval: Approve continues the sequence and says who acted.
	gated := f.trigger("shop", "dev", "gated", "web")
	f.openTask(gated, "approval")
	// A second sequence for dev/web waits, and says for what.
	queued := f.trigger("shop", "dev", "delivery", "web")
	wantAll(t, "waiting in the list", f.mustGet("/bridge/project/shop/sequences?state=waiting"),
		"/bridge/project/shop/sequence/"+queued, `waits for <a href="/bridge/project/shop/sequence/`+gated+`">gated`)
	wantAll(t, "waiting in the detail", f.mustGet("/bridge/project/shop/sequence/"+queued),
		`<a href="/bridge/project/shop/sequence/`+gated+`">gated`, "holds dev/web")
	env = f.mustGet("/bridge/project/shop")
	id := regexp.MustCompile(`/bridge/project/shop/approval/([0-9a-f-]+)`).FindStringSubmatch(env)
	if id == nil {
		t.Fatalf("no approval on the environment page:\n%s", env)
	}
	resp = f.post("/bridge/project/shop/approval/"+id[1], url.Values{"decision": {"approve"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", resp.StatusCode, body(resp))
	}
	f.openTask(gated, "release")
	var evs struct {
		Events []struct {
			Data map[string]any `json:"data"`
		} `json:"events"`
	}
	f.api(200, "GET", "/api/mongodb-datastore/event?keptnContext="+gated+"&type=sh.keptn.event.approval.finished", nil, &evs)
	if len(evs.Events) != 1 || evs.Events[0].Data["result"] != "pass" || !strings.Contains(fmt.Sprint(evs.Events[0].Data["message"]), "Approved in the baton Bridge") {
		t.Errorf("approval.finished: %+v", evs.Events)
	}
	resp = f.post("/bridge/project/shop/approval/"+id[1], url.Values{"decision": {"decline"}}, nil)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("second answer to one approval: %d", resp.StatusCode)
	}

	// Declining from the sequence page ends a second gated sequence there.
	gated2 := f.trigger("shop", "dev", "gated", "cart")
	appr := f.openTask(gated2, "approval")
	wantAll(t, "approval on the sequence page", f.mustGet("/bridge/project/shop/sequence/"+gated2), "/bridge/project/shop/approval/"+appr, "Decline")
	resp = f.post("/bridge/project/shop/approval/"+appr, url.Values{"decision": {"decline"}, "back": {"/bridge/project/shop/sequence/" + gated2}}, nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/bridge/project/shop/sequence/"+gated2+"?done=declined" {
		t.Fatalf("decline: %d %q", resp.StatusCode, loc)
	}

	// Pause, resume and abort act on the running sequence.
	for _, state := range []string{"pause", "resume", "abort"} {
		resp = f.post("/bridge/project/shop/sequence/"+gated+"/control", url.Values{"state": {state}}, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", state, resp.StatusCode, body(resp))
		}
	}
	var states struct {
		States []struct{ State string } `json:"states"`
	}
	f.api(200, "GET", "/api/controlPlane/v1/sequence/shop?keptnContext="+gated, nil, &states)
	if len(states.States) != 1 || states.States[0].State != "aborted" {
		t.Errorf("after abort: %+v", states)
	}

	// Evaluations: a heatmap from evaluation.finished events.
	if page := f.mustGet("/bridge/project/shop/evaluations"); !strings.Contains(page, "No evaluations ran") {
		t.Errorf("evaluations before any:\n%s", page)
	}
	f.api(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.evaluation.finished", "source": "lighthouse",
		"shkeptncontext": kc, "data": map[string]any{"project": "shop", "stage": "dev", "service": "cart", "result": "pass",
			"evaluation": map[string]any{"score": 100, "indicatorResults": []map[string]any{{"score": 1, "status": "pass",
				"value":       map[string]any{"metric": "response_time_p95", "value": 212.5, "success": true},
				"passTargets": []map[string]any{{"criteria": "<=300", "targetValue": 300, "violated": false}}}}}}}, nil)
	wantAll(t, "evaluations", f.mustGet("/bridge/project/shop/evaluations"), "response_time_p95", "212.5", "tone-ok", "Objectives", "&lt;=300")

	svcHook := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nmetadata: {name: svc}\nspec:\n  webhooks:\n    - type: sh.keptn.event.test.triggered\n      requests: [{url: \"http://127.0.0.1:1/t\", method: POST}]\n"
	f.api(201, "POST", "/api/resource-service/v1/project/shop/stage/prod/service/web/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(svcHook))}}}, nil)
	wantAll(t, "settings", f.mustGet("/bridge/project/shop/settings"), "sh.keptn.event.deployment.triggered", "kind: Shipyard",
		"stage prod, service web", "sh.keptn.event.test.triggered")
	wantAll(t, "integrations", f.mustGet("/bridge/integrations"), "No integration has registered")
	wantAll(t, "projects", f.mustGet("/bridge/"), "/bridge/project/shop", "dev → prod")
	if st, page := f.get("/bridge/project/none"); st != 404 || !strings.Contains(page, "none") {
		t.Errorf("unknown project page: %d", st)
	}
	if strings.Contains(f.logs.String(), f.in.Token) {
		t.Errorf("the token reached the log")
	}
}

func TestSequenceTimelineIsLive(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.project("shop", "cart")
	f.login()
	kc := f.trigger("shop", "dev", "delivery", "cart")
	task := f.openTask(kc, "deployment")
	path := "/bridge/project/shop/sequence/" + kc
	page := f.mustGet(path)
	digest := regexp.MustCompile(`data-live-digest="([0-9a-f]+)"`).FindStringSubmatch(page)
	if digest == nil {
		t.Fatalf("no live region:\n%s", page)
	}
	s := f.stream(t.Context(), path, digest[1])
	f.answer(kc, "deployment", task, "started", map[string]any{"project": "shop", "stage": "dev", "service": "cart"})
	s.waitFor(t, "started by <code>test-executor</code>")
	f.answer(kc, "deployment", task, "status.changed", map[string]any{"project": "shop", "stage": "dev", "service": "cart", "message": "50% rolled out"})
	s.waitFor(t, "50% rolled out")
	f.answer(kc, "deployment", task, "finished", map[string]any{"project": "shop", "stage": "dev", "service": "cart", "status": "succeeded", "result": "pass"})
	got := s.waitFor(t, "<strong>release</strong>")
	if !strings.Contains(got, "took") {
		t.Errorf("finished task without duration:\n%s", got)
	}
}

func TestSequencesArePaged(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.project("shop", "cart")
	f.login()
	for range 27 {
		f.trigger("shop", "dev", "delivery", "cart")
	}
	first := f.mustGet("/bridge/project/shop/sequences?service=cart")
	wantAll(t, "first page", first, "1–25 of 27", `href="/bridge/project/shop/sequences?offset=25&amp;service=cart"`)
	if n := strings.Count(first, `<td><a href="/bridge/project/shop/sequence/`); n != 25 {
		t.Errorf("first page lists %d sequences", n)
	}
	second := f.mustGet("/bridge/project/shop/sequences?offset=25&service=cart")
	wantAll(t, "second page", second, "26–27 of 27", `href="/bridge/project/shop/sequences?service=cart"`)
	if n := strings.Count(second, `<td><a href="/bridge/project/shop/sequence/`); n != 2 {
		t.Errorf("second page lists %d sequences", n)
	}
}

// A trigger that cannot run (hard-ux records it as a failed execution) is
// listed as failed with the engine's reason, on the list and the detail page.
func TestRefusedSequencesAppearAsFailed(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.project("shop", "cart")
	f.login()
	kc := f.trigger("shop", "dev", "nosuchsequence", "cart")
	list := f.mustGet("/bridge/project/shop/sequences")
	wantAll(t, "sequences", list, "nosuchsequence", "fail",
		"no sequence nosuchsequence with tasks found in stage dev of project shop")
	failed := f.mustGet("/bridge/project/shop/sequences?result=fail")
	wantAll(t, "failed filter", failed, "nosuchsequence")
	detail := f.mustGet("/bridge/project/shop/sequence/" + kc)
	wantAll(t, "detail", detail, "no sequence nosuchsequence with tasks found")
}
