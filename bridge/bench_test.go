package bridge_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/server"
)

// benchSeed is a data directory holding 10,000 sequences and 100,000 events
// in one project, seeded once and opened by each benchmark's own baton.
var benchSeed struct {
	once sync.Once
	dir  string
	kcs  []string
}

const (
	benchSequences = 10_000
	benchEvents    = 100_000
	benchServices  = 50
)

// seeded starts a baton on the seeded data directory.
func seeded(b *testing.B) *fixture {
	benchSeed.once.Do(func() {
		dir, err := os.MkdirTemp("", "baton-bridge-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchSeed.dir = dir
		f := newFixture(b, server.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler), Sync: "NORMAL"})
		seedProject(b, f.in)
		f.in.Stop()
	})
	f := newFixture(b, server.Config{DataDir: benchSeed.dir, Logger: slog.New(slog.DiscardHandler)})
	f.login()
	return f
}

// TestMain removes the benchmarks' seeded data directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchSeed.dir != "" {
		os.RemoveAll(benchSeed.dir)
	}
	os.Exit(code)
}

// seedProject triggers 10,000 sequences over 50 services and adds events to
// their contexts until the project holds 100,000, through the event service
// (many concurrent ingests share group commits).
func seedProject(b *testing.B, in *batontest.Instance) {
	b.Helper()
	if st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "big", "shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))}); st != 201 {
		b.Fatalf("project: %d %s", st, body)
	}
	for i := range benchServices {
		if st, body := in.Do("POST", "/api/controlPlane/v1/project/big/service", map[string]any{"serviceName": fmt.Sprintf("svc%02d", i)}); st != 200 {
			b.Fatalf("service: %d %s", st, body)
		}
	}
	ctx := context.Background()
	kcs := make([]string, benchSequences)
	ingest := func(n int, ev func(i int) *keptn.Event, each func(i int, kc string)) {
		var wg sync.WaitGroup
		work := make(chan int)
		for range 16 {
			wg.Go(func() {
				for i := range work {
					kc, err := in.Keptn.Ingest(ctx, ev(i))
					if err != nil {
						b.Errorf("ingest: %v", err)
						return
					}
					if each != nil {
						each(i, kc)
					}
				}
			})
		}
		for i := range n {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	data := func(i int) []byte {
		return fmt.Appendf(nil, `{"project":"big","stage":"dev","service":"svc%02d","message":"step %d"}`, i%benchServices, i)
	}
	ingest(benchSequences, func(i int) *keptn.Event {
		return &keptn.Event{Type: "sh.keptn.event.dev.delivery.triggered", Source: "bench", Data: data(i)}
	}, func(i int, kc string) { kcs[i] = kc })
	var total struct{ TotalCount int }
	if st, body := in.Do("GET", "/api/mongodb-datastore/event?project=big&pageSize=1", nil); st != 200 {
		b.Fatalf("count: %d %s", st, body)
	} else if err := json.Unmarshal(body, &total); err != nil {
		b.Fatal(err)
	}
	extra := benchEvents - total.TotalCount
	ingest(extra, func(i int) *keptn.Event {
		return &keptn.Event{Type: "sh.keptn.event.deployment.status.changed", Source: "bench",
			Shkeptncontext: kcs[i%benchSequences], Data: data(i)}
	}, nil)
	benchSeed.kcs = kcs
}

// BenchmarkSequencesPage renders the sequences page of a project with
// 10,000 sequences and 100,000 events over loopback HTTP.
func BenchmarkSequencesPage(b *testing.B) {
	f := seeded(b)
	benchPage(b, f, "/bridge/project/big/sequences")
}

// BenchmarkSequenceDetailPage renders one sequence's timeline in the same
// project.
func BenchmarkSequenceDetailPage(b *testing.B) {
	f := seeded(b)
	benchPage(b, f, "/bridge/project/big/sequence/"+benchSeed.kcs[len(benchSeed.kcs)/2])
}

// BenchmarkEnvironmentPage renders the stages × services grid of the project.
func BenchmarkEnvironmentPage(b *testing.B) {
	f := seeded(b)
	benchPage(b, f, "/bridge/project/big")
}

func benchPage(b *testing.B, f *fixture, path string) {
	lat := make([]time.Duration, 0, 1024)
	for b.Loop() {
		start := time.Now()
		if st, _ := f.get(path); st != 200 {
			b.Fatalf("GET %s: %d", path, st)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkCommitToSSE measures from the commit of an event (Ingest
// returns after the durable commit) to its arrival on an open live stream
// of the sequence's detail page.
func BenchmarkCommitToSSE(b *testing.B) {
	f := newFixture(b, server.Config{Logger: slog.New(slog.DiscardHandler)})
	f.project("live", "web")
	f.login()
	kc := f.trigger("live", "dev", "delivery", "web")
	task := f.openTask(kc, "deployment")
	path := "/bridge/project/live/sequence/" + kc
	page := f.mustGet(path)
	digest := regexp.MustCompile(`data-live-digest="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	s := f.stream(b.Context(), path, digest)
	lat := make([]time.Duration, 0, 1024)
	i := 0
	for b.Loop() {
		i++
		msg := fmt.Sprintf("commit number %d;", i)
		if _, err := f.in.Keptn.Ingest(context.Background(), &keptn.Event{Type: "sh.keptn.event.deployment.status.changed",
			Source: "bench", Shkeptncontext: kc, TriggeredID: task,
			Data: fmt.Appendf(nil, `{"project":"live","stage":"dev","service":"web","message":%q}`, msg)}); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		s.waitFor(b, msg)
		lat = append(lat, time.Since(committed))
	}
	reportPercentiles(b, lat)
}

// BenchmarkEvaluationsPage renders the evaluations heatmap of the project
// (which ran none: the worst case for finding them).
func BenchmarkEvaluationsPage(b *testing.B) {
	f := seeded(b)
	benchPage(b, f, "/bridge/project/big/evaluations")
}
