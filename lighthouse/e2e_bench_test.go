package lighthouse_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/server"
)

// inProcessProvider answers every get-sli.triggered inside the transaction
// that emits it and counts committed evaluation.finished events.
type inProcessProvider struct {
	events   *keptn.Events
	finished atomic.Int64
	want     atomic.Int64
	done     chan struct{}
}

func (p *inProcessProvider) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	switch ev.Type {
	case lighthouse.TypeGetSLITriggered:
		fin, err := p.events.New(lighthouse.TypeGetSLIFinished, "bench-provider", ev.Shkeptncontext, ev.ID, map[string]any{
			"project": "bench", "stage": "dev", "result": "pass", "status": "succeeded",
			"get-sli": map[string]any{"indicatorValues": []map[string]any{{"metric": "response_time_p95", "value": 250, "success": true}}}})
		if err != nil {
			return err
		}
		return p.events.Append(ctx, tx, fin)
	case lighthouse.TypeEvaluationFinished:
		tx.AfterCommit(func() {
			if p.finished.Add(1) == p.want.Load() {
				close(p.done)
			}
		})
	}
	return nil
}

// BenchmarkEvaluationEndToEnd triggers evaluations over HTTP (16 clients,
// 16 services) and waits for every evaluation.finished: trigger route,
// sequence engine, evaluator, an in-process SLI provider, the score job
// and the event history, on real SQLite. Reported as evals/s.
func BenchmarkEvaluationEndToEnd(b *testing.B) {
	const services, clients = 16, 16
	prov := &inProcessProvider{done: make(chan struct{})}
	srv, err := server.Open(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), Token: batontest.Token,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard, Sync: benchSync})
	if err != nil {
		b.Fatal(err)
	}
	prov.events = srv.Keptn
	srv.Keptn.AddHook(prov)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	post := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL()+path, bytes.NewBufferString(body))
		req.Header.Set("x-token", batontest.Token)
		resp, err := hc.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Errorf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	post("POST", "/api/controlPlane/v1/project", `{"name":"bench","shipyard":"`+b64("apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n")+`"}`)
	slo := base64.StdEncoding.EncodeToString([]byte(gateSLO))
	for i := range services {
		post("POST", "/api/controlPlane/v1/project/bench/service", fmt.Sprintf(`{"serviceName":"svc%d"}`, i))
		post("POST", fmt.Sprintf("/api/resource-service/v1/project/bench/stage/dev/service/svc%d/resource", i),
			`{"resources":[{"resourceURI":"slo.yaml","resourceContent":"`+slo+`"}]}`)
	}
	post("PUT", "/api/controlPlane/v1/project/bench/monitoring", `{"sliProvider":"in-process"}`)
	prov.want.Store(int64(b.N))

	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				post("POST", fmt.Sprintf("/api/controlPlane/v1/project/bench/stage/dev/service/svc%d/evaluation", i%services), `{"timeframe":"5m"}`)
			}
		}()
	}
	wg.Wait()
	select {
	case <-prov.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d evaluations finished", prov.finished.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "evals/s")
}

// benchSync is the commit durability of the end-to-end benchmark.
var benchSync = "FULL"
