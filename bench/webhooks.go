package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// WebhooksConfig configures the webhook benchmark.
type WebhooksConfig struct {
	Concurrency int
	Events      int
	// Rate paces posting to this many events per second (0: as fast as the
	// clients go). Below saturation the latencies show what baton adds; at
	// saturation they show the backlog.
	Rate float64
}

// WebhooksResult is what the webhook benchmark measured.
type WebhooksResult struct {
	Calls int
	// Paced is set when the run was paced (WebhooksConfig.Rate): only then
	// is Finish measured.
	Paced bool
	// Elapsed runs from the first event posted to the moment every task's
	// .finished was seen committed (at saturation) or to the last call's
	// arrival at the endpoint (paced).
	Elapsed  time.Duration
	LastCall time.Duration // first event posted → last call at the endpoint
	Dispatch Summary       // ingest reply → webhook request received by the endpoint
	Sent     Summary       // event sent → webhook request received (includes ingest)
	Finish   Summary       // endpoint answered → .finished committed (paced runs only; see Print)
	Errors   int
}

// Print writes the report.
func (r WebhooksResult) Print(w io.Writer) {
	if r.Paced {
		fmt.Fprintf(w, "webhook calls (paced): %d in %.2fs = %.0f calls/s (fire-and-forget: .started, call, .finished per event; plus one uncounted notification call per .finished)\n",
			r.Calls, r.Elapsed.Seconds(), float64(r.Calls)/r.Elapsed.Seconds())
	} else {
		fmt.Fprintf(w, "webhook calls (saturation): %d in %.2fs = %.0f calls/s (fire-and-forget: .started, call, .finished per event; until every .finished committed, last call at %.2fs)\n",
			r.Calls, r.Elapsed.Seconds(), float64(r.Calls)/r.Elapsed.Seconds(), r.LastCall.Seconds())
	}
	line := func(name string, s Summary) {
		fmt.Fprintf(w, "  %-44s p50 %-9s p90 %-9s p99 %s\n", name, round(s.P50), round(s.P90), round(s.P99))
	}
	line("event committed → request at endpoint:", r.Dispatch)
	line("event sent → request at endpoint:", r.Sent)
	if r.Paced {
		line("endpoint answered → .finished committed:", r.Finish)
	} else {
		fmt.Fprintf(w, "  %-44s (measured with --rate only)\n", "endpoint answered → .finished committed:")
	}
	if r.Errors > 0 {
		fmt.Fprintf(w, "  errors: %d\n", r.Errors)
	}
}

type sinkTimes struct {
	call, answered, finished time.Time
}

// sink is the webhook endpoint: it records when each call arrives and is
// answered, and when the notification of the task's .finished arrives.
// arrived gets one value per task whose call arrived (the first time, as
// delivery is at least once), done one per notification.
type sink struct {
	mu      sync.Mutex
	times   map[string]*sinkTimes
	arrived chan struct{}
	done    chan string
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	var body struct {
		KC string `json:"kc"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	t := s.times[body.KC]
	if t == nil {
		t = &sinkTimes{}
		s.times[body.KC] = t
	}
	first := false
	if r.URL.Path == "/finished" {
		t.finished = now
	} else {
		first = t.call.IsZero()
		t.call = now
	}
	s.mu.Unlock()
	if first {
		s.arrived <- struct{}{}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
	if r.URL.Path == "/finished" {
		s.done <- body.KC
		return
	}
	s.mu.Lock()
	t.answered = time.Now()
	s.mu.Unlock()
}

// Webhooks measures the webhook service: events of a task are posted and a
// fire-and-forget webhook calls an endpoint in this process.
//
// At saturation (no Rate) that call is the only webhook: the run ends when
// the project's history holds every task's .finished, polled through the
// API once the last call has arrived, so that no work is left uncounted
// and nothing else competes for the machine. A paced run adds a
// notification webhook on the task's .finished, which tells when that
// committed (Finish); below saturation the extra calls cost little.
// The target must allow webhooks to 127.0.0.1 (embedded servers do).
func Webhooks(ctx context.Context, t *Target, cfg WebhooksConfig) (WebhooksResult, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.Events <= 0 {
		cfg.Events = 10000
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return WebhooksResult{}, err
	}
	sk := &sink{times: map[string]*sinkTimes{}, arrived: make(chan struct{}, cfg.Events), done: make(chan string, cfg.Events)}
	srv := &http.Server{Handler: sk}
	go srv.Serve(ln)
	defer srv.Close()

	client := Client(cfg.Concurrency)
	project := "bench-webhooks-" + uuid.NewString()[:8]
	paced := cfg.Rate > 0
	if err := setupWebhookProject(ctx, client, t, project, "http://"+ln.Addr().String(), paced); err != nil {
		return WebhooksResult{}, err
	}
	var mu sync.Mutex
	sent := map[string][2]time.Time{}
	var rec Recorder
	start := time.Now()
	Run(ctx, cfg.Concurrency, cfg.Events, 0, func(ctx context.Context, i int) {
		if cfg.Rate > 0 { // open loop: event i is due at start + i/rate
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))))
		}
		kc := uuid.NewString()
		body := fmt.Sprintf(`{"type":"sh.keptn.event.bench.triggered","source":"baton-bench","shkeptncontext":%q,"data":{"project":%q,"stage":"dev","service":"svc"}}`, kc, project)
		t0 := time.Now()
		if err := postEvent(ctx, client, t, []byte(body)); err != nil {
			rec.Fail(err)
			return
		}
		mu.Lock()
		sent[kc] = [2]time.Time{t0, time.Now()}
		mu.Unlock()
	})
	want := cfg.Events - rec.errs
	deadline := time.Now().Add(2 * time.Minute)
	timeout := time.After(time.Until(deadline))
	for n := 0; n < want; n++ {
		select {
		case <-sk.arrived:
		case <-timeout:
			return WebhooksResult{}, fmt.Errorf("only %d of %d calls arrived within 2 minutes", n, want)
		}
	}
	var end time.Time
	if paced {
		for n := 0; n < want; n++ {
			select {
			case <-sk.done:
			case <-timeout:
				return WebhooksResult{}, fmt.Errorf("only %d of %d tasks finished within 2 minutes", n, want)
			}
		}
	} else {
		var err error
		if end, err = awaitFinished(ctx, client, t, project, want, deadline); err != nil {
			return WebhooksResult{}, err
		}
	}
	var dispatch, fromSent, finish Recorder
	var last time.Time
	sk.mu.Lock()
	for kc, st := range sent {
		tm := sk.times[kc]
		if tm == nil || tm.call.IsZero() {
			continue
		}
		dispatch.Observe(max(tm.call.Sub(st[1]), 0))
		fromSent.Observe(tm.call.Sub(st[0]))
		if tm.call.After(last) {
			last = tm.call
		}
	}
	sk.mu.Unlock()
	d := dispatch.Summarize("dispatch", "calls", 1, 0)
	res := WebhooksResult{
		Calls: len(sent), Paced: paced, Elapsed: last.Sub(start), LastCall: last.Sub(start), Errors: rec.errs,
		Dispatch: d, Sent: fromSent.Summarize("sent", "calls", 1, 0),
	}
	if !paced {
		res.Elapsed = end.Sub(start)
		return res, nil
	}
	sk.mu.Lock()
	for kc := range sent {
		tm := sk.times[kc]
		if tm == nil || tm.finished.IsZero() {
			continue
		}
		// The notification of .finished is itself a webhook dispatch; take
		// the median dispatch latency off to estimate the commit time.
		finish.Observe(max(tm.finished.Sub(tm.answered)-d.P50, 0))
	}
	sk.mu.Unlock()
	res.Finish = finish.Summarize("finish", "calls", 1, 0)
	return res, nil
}

// finishedPoll is how often awaitFinished asks for the count of .finished
// events once the last call has arrived.
const finishedPoll = 2 * time.Millisecond

// awaitFinished polls the project's history through the API until it holds
// want .finished events of the bench task, and returns when it saw them.
func awaitFinished(ctx context.Context, c *http.Client, t *Target, project string, want int, deadline time.Time) (time.Time, error) {
	path := "/api/mongodb-datastore/event?type=sh.keptn.event.bench.finished&pageSize=1&project=" + project
	n := 0
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", t.URL+path, nil)
		if err != nil {
			return time.Time{}, err
		}
		req.Header.Set("x-token", t.Token)
		resp, err := c.Do(req)
		if err != nil {
			return time.Time{}, fmt.Errorf("count .finished events: %w", err)
		}
		var page struct {
			TotalCount int `json:"totalCount"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return time.Time{}, fmt.Errorf("count .finished events: status %d: %v", resp.StatusCode, err)
		}
		now := time.Now()
		if n = page.TotalCount; n >= want {
			return now, nil
		}
		if now.After(deadline) {
			return time.Time{}, fmt.Errorf("only %d of %d tasks finished within 2 minutes", n, want)
		}
		time.Sleep(finishedPoll)
	}
}

// setupWebhookProject creates the project with the task's webhook, and with
// notify a webhook on the task's .finished too.
func setupWebhookProject(ctx context.Context, c *http.Client, t *Target, project, sinkURL string, notify bool) error {
	do := func(method, path string, body any, want int) error {
		b, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, method, t.URL+path, bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("x-token", t.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(rb))
		}
		return nil
	}
	hooks := fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.bench.triggered
      sendFinished: true
      requests:
        - {url: "%[1]s/call", method: POST, payload: '{"kc":"{{.shkeptncontext}}"}'}
`, sinkURL)
	if notify {
		hooks += fmt.Sprintf(`    - type: sh.keptn.event.bench.finished
      requests:
        - {url: "%[1]s/finished", method: POST, payload: '{"kc":"{{.shkeptncontext}}"}'}
`, sinkURL)
	}
	steps := []func() error{
		func() error {
			return do("POST", "/api/controlPlane/v1/project", map[string]string{"name": project, "shipyard": base64.StdEncoding.EncodeToString([]byte(benchShipyard))}, 201)
		},
		func() error {
			return do("POST", "/api/controlPlane/v1/project/"+project+"/service", map[string]string{"serviceName": "svc"}, 200)
		},
		func() error {
			return do("POST", "/api/resource-service/v1/project/"+project+"/resource", map[string]any{"resources": []map[string]string{
				{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(hooks))}}}, 201)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return fmt.Errorf("set up project: %w", err)
		}
	}
	return nil
}
