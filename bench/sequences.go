package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// SequencesConfig configures the sequence benchmark.
type SequencesConfig struct {
	Concurrency int           // sequences in flight (each on its own service)
	Sequences   int           // total sequences (0: run for Duration)
	Duration    time.Duration // used when Sequences is 0
	Started     bool          // executors send .started before .finished (Keptn's protocol)
}

// benchShipyard has one stage with a 3-task sequence.
const benchShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata: {name: bench}
spec:
  stages:
    - name: dev
      sequences:
        - name: bench
          tasks: [{name: bench1}, {name: bench2}, {name: bench3}]
`

// Sequences measures sequence orchestration end to end over HTTP. Clients
// trigger sh.keptn.event.dev.bench.triggered (closed loop, one service per
// sequence in flight so none waits in a queue); executors, one poller per task
// type, long-poll GET /api/controlPlane/v1/event/triggered/{type} as remote
// Keptn integrations do and answer every task at once with .started and
// .finished. A sequence is done when the POST of its last .finished returns:
// baton commits the sequence's .finished event in that same transaction.
// Latency is trigger sent → that POST answered. At the end the number of
// sequence .finished events in the history is checked against the count.
func Sequences(ctx context.Context, t *Target, cfg SequencesConfig) (Summary, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	b := &seqBench{t: t, cfg: cfg, client: Client(cfg.Concurrency * 4), project: "bench" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36),
		waiters: map[string]chan struct{}{}, seen: map[string]bool{}, busy: map[int]bool{},
		token: []string{t.Token}, json: []string{"application/json"}}
	if err := b.parseURLs(); err != nil {
		return Summary{}, err
	}
	if err := b.setup(ctx); err != nil {
		return Summary{}, fmt.Errorf("setup: %w", err)
	}
	pollCtx, stopPolling := context.WithCancel(ctx)
	var pollers sync.WaitGroup
	for i := range benchTasks {
		pollers.Add(1)
		go func() { defer pollers.Done(); b.execute(pollCtx, i) }()
	}
	// Each sequence in flight has a service of its own: Run's operation
	// numbers do not say which client runs them, and two sequences of one
	// service would queue, the second waiting for the first to finish.
	free := make(chan int, cfg.Concurrency)
	for n := range cfg.Concurrency {
		free <- n
	}
	var rec Recorder
	elapsed := Run(ctx, cfg.Concurrency, cfg.Sequences, cfg.Duration, func(ctx context.Context, _ int) {
		n := <-free
		defer func() { free <- n }()
		d, err := b.one(ctx, n)
		if err != nil {
			rec.Fail(err)
			return
		}
		rec.Observe(d)
	})
	stopPolling()
	pollers.Wait()
	s := rec.Summarize("sequences (3 tasks, trigger → sequence .finished)", "sequences", 1, elapsed)
	if n, err := b.finishedCount(ctx); err != nil {
		return s, fmt.Errorf("verify: %w", err)
	} else if n != s.Ops {
		return s, fmt.Errorf("verify: %d sequence .finished events stored, but %d sequences completed", n, s.Ops)
	}
	return s, nil
}

// seqBench is the benchmark's client side. Like bench events' poster it
// parses its URLs and builds its header values once, encodes its events
// from structs and decodes only the fields it reads, so the client spends
// its share of the machine on requests rather than on building them.
type seqBench struct {
	t       *Target
	cfg     SequencesConfig
	client  *http.Client
	project string

	// urls holds, by base URL (t.Base), POST /api/v1/event and each task's
	// GET /event/triggered.
	urls        map[string]*seqURLs
	token, json []string

	mu      sync.Mutex
	waiters map[string]chan struct{} // keptnContext → closed when the sequence finished
	seen    map[string]bool          // task .triggered ids being answered, or whose answer failed
	busy    map[int]bool             // services with a sequence in flight
}

type seqURLs struct {
	event *url.URL
	poll  [len(benchTasks)]*url.URL
}

var benchTasks = [...]string{"bench1", "bench2", "bench3"}

func (b *seqBench) parseURLs() error {
	b.urls = map[string]*seqURLs{}
	for _, base := range append([]string{b.t.URL}, b.t.Replicas...) {
		u := &seqURLs{}
		var err error
		if u.event, err = url.Parse(base + "/api/v1/event"); err != nil {
			return err
		}
		for i, task := range benchTasks {
			if u.poll[i], err = url.Parse(base + "/api/controlPlane/v1/event/triggered/sh.keptn.event." + task +
				".triggered?project=" + url.QueryEscape(b.project) + "&pageSize=100&wait=1s"); err != nil {
				return err
			}
		}
		b.urls[base] = u
	}
	return nil
}

func (b *seqBench) setup(ctx context.Context) error {
	sy := base64.StdEncoding.EncodeToString([]byte(benchShipyard))
	if err := b.call(ctx, "POST", "/api/controlPlane/v1/project", map[string]any{"name": b.project, "shipyard": sy}, nil); err != nil {
		return err
	}
	for i := range b.cfg.Concurrency {
		if err := b.call(ctx, "POST", "/api/controlPlane/v1/project/"+b.project+"/service",
			map[string]any{"serviceName": "svc" + strconv.Itoa(i)}, nil); err != nil {
			return err
		}
	}
	return nil
}

// benchEvent is the event the client and the executors post.
type benchEvent struct {
	Type           string    `json:"type"`
	Source         string    `json:"source"`
	SpecVersion    string    `json:"specversion"`
	Shkeptncontext string    `json:"shkeptncontext"`
	TriggeredID    string    `json:"triggeredid,omitempty"`
	Data           benchData `json:"data"`
}

// benchData is the part of an event's data the executors read and send.
type benchData struct {
	Project string `json:"project"`
	Stage   string `json:"stage"`
	Service string `json:"service"`
	Result  string `json:"result,omitempty"`
	Status  string `json:"status,omitempty"`
}

// one triggers a sequence for service svc<n> and waits until it finished.
func (b *seqBench) one(ctx context.Context, n int) (time.Duration, error) {
	kc := uuid.NewString()
	done := make(chan struct{})
	b.mu.Lock()
	if b.busy[n] {
		b.mu.Unlock()
		return 0, fmt.Errorf("service svc%d already has a sequence in flight: it would queue", n)
	}
	b.busy[n] = true
	b.waiters[kc] = done
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.busy, n)
		b.mu.Unlock()
	}()
	start := time.Now()
	err := b.post(ctx, benchEvent{Type: "sh.keptn.event.dev.bench.triggered", Source: "baton-bench", SpecVersion: "1.0",
		Shkeptncontext: kc, Data: benchData{Project: b.project, Stage: "dev", Service: "svc" + strconv.Itoa(n)}})
	if err != nil {
		return 0, err
	}
	select {
	case <-done:
		return time.Since(start), nil
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("sequence %s did not finish within 30s", kc)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

type openEvent struct {
	ID             string    `json:"id"`
	Shkeptncontext string    `json:"shkeptncontext"`
	Data           benchData `json:"data"`
}

// execute polls the open .triggered events of task i and answers them, as
// an integration with a worker per task does: it answers every event of a
// page at once and polls again when those answers are done. Answered events
// are no longer open then, so a poll returns only tasks opened meanwhile,
// or, when there are none, waits in the server (wait=1s) until one opens.
func (b *seqBench) execute(ctx context.Context, i int) {
	var answers sync.WaitGroup
	for ctx.Err() == nil {
		var page struct{ Events []openEvent }
		if err := b.poll(ctx, i, &page); err != nil {
			continue
		}
		for _, ev := range page.Events {
			b.mu.Lock()
			dup := b.seen[ev.ID]
			b.seen[ev.ID] = true
			b.mu.Unlock()
			if !dup { // an event seen before is one whose answer failed
				answers.Go(func() { b.answer(ctx, i, ev) })
			}
		}
		answers.Wait()
	}
}

func (b *seqBench) answer(ctx context.Context, i int, ev openEvent) {
	out := benchEvent{Source: "baton-bench-executor", SpecVersion: "1.0", Shkeptncontext: ev.Shkeptncontext, TriggeredID: ev.ID,
		Data: benchData{Project: ev.Data.Project, Stage: ev.Data.Stage, Service: ev.Data.Service}}
	task := "sh.keptn.event." + benchTasks[i]
	if b.cfg.Started {
		out.Type = task + ".started"
		if b.post(ctx, out) != nil {
			return
		}
	}
	out.Type = task + ".finished"
	out.Data.Result, out.Data.Status = "pass", "succeeded"
	if b.post(ctx, out) != nil {
		return
	}
	// The task is no longer open: no poll returns it again.
	var done chan struct{}
	b.mu.Lock()
	delete(b.seen, ev.ID)
	if i == len(benchTasks)-1 {
		done = b.waiters[ev.Shkeptncontext]
		delete(b.waiters, ev.Shkeptncontext)
	}
	b.mu.Unlock()
	if done != nil {
		close(done)
	}
}

// post sends ev to POST /api/v1/event and reads the reply to its end.
func (b *seqBench) post(ctx context.Context, ev benchEvent) error {
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	req, err := b.request(ctx, "POST", b.urls[b.t.Base()].event, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header["Content-Type"] = b.json
	return b.do(req, nil)
}

// poll reads a page of task i's open .triggered events into page.
func (b *seqBench) poll(ctx context.Context, i int, page any) error {
	req, err := b.request(ctx, "GET", b.urls[b.t.Base()].poll[i], nil)
	if err != nil {
		return err
	}
	return b.do(req, page)
}

func (b *seqBench) request(ctx context.Context, method string, u *url.URL, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, "", body)
	if err != nil {
		return nil, err
	}
	req.URL, req.Host = u, u.Host
	req.Header["X-Token"] = b.token
	return req, nil
}

// do sends req and decodes a successful reply into out, or reads it to its
// end when out is nil.
func (b *seqBench) do(req *http.Request, out any) error {
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// finishedCount counts the stored sequence .finished events of the run.
func (b *seqBench) finishedCount(ctx context.Context) (int, error) {
	var page struct {
		TotalCount int `json:"totalCount"`
	}
	err := b.call(ctx, "GET", "/api/mongodb-datastore/event?type=sh.keptn.event.dev.bench.finished&project="+b.project+"&pageSize=1", nil, &page)
	return page.TotalCount, err
}

// call is an API call of the setup and the final check.
func (b *seqBench) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.t.Base()+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("x-token", b.t.Token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return b.do(req, out)
}
