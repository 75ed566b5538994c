package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

var benchTasks = []string{"bench1", "bench2", "bench3"}

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
		waiters: map[string]chan struct{}{}, seen: map[string]bool{}, busy: map[int]bool{}}
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
	// service would queue, the second opening its first task when the first
	// finishes (no POST of the client's opens it, so its poller would learn
	// of it only from the next trigger).
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

type seqBench struct {
	t       *Target
	cfg     SequencesConfig
	client  *http.Client
	project string

	mu      sync.Mutex
	waiters map[string]chan struct{} // keptnContext → closed when the sequence finished
	seen    map[string]bool          // task .triggered ids being answered
	busy    map[int]bool             // services with a sequence in flight
	// changed[i] is closed (and replaced) when a POST that opens task i was
	// acknowledged: a trigger opens task 0, task i's .finished opens task i+1.
	changed [3]chan struct{}
}

// posted tells task i's poller that a .triggered of task i was committed.
func (b *seqBench) posted(i int) {
	if i >= len(b.changed) {
		return
	}
	b.mu.Lock()
	if b.changed[i] != nil {
		close(b.changed[i])
		b.changed[i] = nil
	}
	b.mu.Unlock()
}

// watch returns a channel closed at the next posted(i).
func (b *seqBench) watch(i int) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed[i] == nil {
		b.changed[i] = make(chan struct{})
	}
	return b.changed[i]
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
	err := b.call(ctx, "POST", "/api/v1/event", map[string]any{
		"type": "sh.keptn.event.dev.bench.triggered", "source": "baton-bench", "specversion": "1.0", "shkeptncontext": kc,
		"data": map[string]any{"project": b.project, "stage": "dev", "service": "svc" + strconv.Itoa(n)},
	}, nil)
	if err != nil {
		return 0, err
	}
	b.posted(0)
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
	ID             string         `json:"id"`
	Shkeptncontext string         `json:"shkeptncontext"`
	Data           map[string]any `json:"data"`
}

// execute polls the open .triggered events of task i and answers each new
// one. Open events stay listed until answered, so a poll that finds nothing
// new waits until this process got the answer to a POST that opens task i
// (a trigger for the first task, the previous task's .finished for the
// others), or long-polls the server.
func (b *seqBench) execute(ctx context.Context, i int) {
	task := benchTasks[i]
	path := "/api/controlPlane/v1/event/triggered/sh.keptn.event." + task + ".triggered?project=" + b.project + "&pageSize=100&wait=1s"
	for ctx.Err() == nil {
		changed := b.watch(i)
		var page struct{ Events []openEvent }
		if err := b.call(ctx, "GET", path, nil, &page); err != nil {
			continue
		}
		fresh := 0
		for _, ev := range page.Events {
			b.mu.Lock()
			dup := b.seen[ev.ID]
			b.seen[ev.ID] = true
			b.mu.Unlock()
			if !dup {
				fresh++
				go b.answer(ctx, i, ev)
			}
		}
		if fresh == 0 && len(page.Events) > 0 {
			select {
			case <-changed:
			case <-time.After(time.Second):
			case <-ctx.Done():
			}
		}
	}
}

func (b *seqBench) answer(ctx context.Context, i int, ev openEvent) {
	task := benchTasks[i]
	send := func(phase string, extra map[string]any) error {
		data := map[string]any{"project": ev.Data["project"], "stage": ev.Data["stage"], "service": ev.Data["service"]}
		for k, v := range extra {
			data[k] = v
		}
		return b.call(ctx, "POST", "/api/v1/event", map[string]any{
			"type": "sh.keptn.event." + task + "." + phase, "source": "baton-bench-executor", "specversion": "1.0",
			"shkeptncontext": ev.Shkeptncontext, "triggeredid": ev.ID, "data": data,
		}, nil)
	}
	if b.cfg.Started {
		if send("started", nil) != nil {
			return
		}
	}
	if send("finished", map[string]any{"result": "pass", "status": "succeeded"}) != nil {
		return
	}
	b.posted(i + 1)
	if i == len(benchTasks)-1 {
		b.mu.Lock()
		done := b.waiters[ev.Shkeptncontext]
		delete(b.waiters, ev.Shkeptncontext)
		b.mu.Unlock()
		if done != nil {
			close(done)
		}
	}
}

// finishedCount counts the stored sequence .finished events of the run.
func (b *seqBench) finishedCount(ctx context.Context) (int, error) {
	var page struct {
		TotalCount int `json:"totalCount"`
	}
	err := b.call(ctx, "GET", "/api/mongodb-datastore/event?type=sh.keptn.event.dev.bench.finished&project="+b.project+"&pageSize=1", nil, &page)
	return page.TotalCount, err
}

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
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
