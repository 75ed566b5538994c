// Package bench measures baton (or a peer that speaks the same API) end to
// end over HTTP on loopback: throughput and latency percentiles. It backs the
// "baton bench" commands.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonhq/baton/server"
)

// Recorder collects latencies from many goroutines.
type Recorder struct {
	mu   sync.Mutex
	lat  []time.Duration
	errs int
	err1 error
}

// Observe records one successful operation's latency.
func (r *Recorder) Observe(d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

// Fail records one failed operation.
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	r.errs++
	if r.err1 == nil {
		r.err1 = err
	}
	r.mu.Unlock()
}

// Summary is what a benchmark reports.
type Summary struct {
	Name     string
	Ops      int
	Errors   int
	FirstErr error
	Elapsed  time.Duration
	P50, P90 time.Duration
	P99, Max time.Duration
	// Unit names one op in the report, e.g. "events" or "msgs".
	Unit string
	// PerOp scales throughput when one op carries several items (batches).
	PerOp int
}

// Summarize computes the summary of what r saw over elapsed.
func (r *Recorder) Summarize(name, unit string, perOp int, elapsed time.Duration) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat := slices.Clone(r.lat)
	slices.Sort(lat)
	s := Summary{Name: name, Ops: len(lat), Errors: r.errs, FirstErr: r.err1, Elapsed: elapsed, Unit: unit, PerOp: max(perOp, 1)}
	if len(lat) > 0 {
		s.P50, s.P90, s.P99, s.Max = pct(lat, .50), pct(lat, .90), pct(lat, .99), lat[len(lat)-1]
	}
	return s
}

func pct(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// Rate is items per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Ops*s.PerOp) / s.Elapsed.Seconds()
}

// Print writes a one-paragraph human report.
func (s Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "%s: %d %s in %.2fs = %.0f %s/s", s.Name, s.Ops*s.PerOp, s.Unit, s.Elapsed.Seconds(), s.Rate(), s.Unit)
	if s.PerOp > 1 {
		fmt.Fprintf(w, " (%d requests of %d)", s.Ops, s.PerOp)
	}
	fmt.Fprintf(w, "\n  latency per request: p50 %s  p90 %s  p99 %s  max %s\n", round(s.P50), round(s.P90), round(s.P99), round(s.Max))
	if s.Errors > 0 {
		fmt.Fprintf(w, "  errors: %d (first: %v)\n", s.Errors, s.FirstErr)
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	default:
		return d.Round(10 * time.Microsecond)
	}
}

// Target is the server under test.
type Target struct {
	URL   string
	Token string
	// Replicas are more base URLs of the same baton (replicas on one
	// database); requests that go through Base spread over URL and them.
	Replicas []string
	next     atomic.Uint64
	stop     func()
	srv      *server.Server // embedded only
}

// CommitStats returns an embedded server's group-commit statistics so far;
// ok is false for external targets and before the first commit.
func (t *Target) CommitStats() (s CommitStats, ok bool) {
	if t.srv == nil {
		return s, false
	}
	return ReadCommitStats(t.srv.Registry())
}

// Base returns the base URL of the next request: URL, or URL and the
// replicas round robin.
func (t *Target) Base() string {
	if len(t.Replicas) == 0 {
		return t.URL
	}
	i := int(t.next.Add(1)-1) % (len(t.Replicas) + 1)
	if i == 0 {
		return t.URL
	}
	return t.Replicas[i-1]
}

// Close stops an embedded server; it is a no-op for external targets.
func (t *Target) Close() {
	if t.stop != nil {
		t.stop()
	}
}

// Embedded starts a baton in this process on a free loopback port with a
// temporary data directory (removed on Close), for users without a server.
func Embedded(ctx context.Context, cfg server.Config) (*Target, error) {
	dir, err := os.MkdirTemp("", "baton-bench-")
	if err != nil {
		return nil, err
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dir
	if cfg.Token == "" {
		cfg.Token = "bench-token"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard // no one-time credential banners in bench output
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = srv.Run(runCtx); close(done) }()
	return &Target{URL: srv.URL(), Token: cfg.Token, srv: srv, stop: func() {
		cancel()
		<-done
		os.RemoveAll(dir)
	}}, nil
}

// Client returns an HTTP client that keeps conns connections open. A
// request whose answer has not begun within a minute fails: the bound is the
// transport's (one timer per request) rather than Client.Timeout's, whose
// deadline context, timer and wrapped reply body per request cost a client
// that shares the cores with an embedded server about 2% of all CPU on
// event ingest.
func Client(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	tr.MaxConnsPerHost = 0
	tr.ResponseHeaderTimeout = time.Minute
	return &http.Client{Transport: tr}
}

// Run calls op from concurrency goroutines until n operations have been
// started or d has elapsed (whichever is set; n wins when both are), and
// returns the wall time.
func Run(ctx context.Context, concurrency, n int, d time.Duration, op func(ctx context.Context, i int)) time.Duration {
	var next int64
	var mu sync.Mutex
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if n > 0 && int(next) >= n {
			return 0, false
		}
		next++
		return int(next - 1), true
	}
	if n > 0 {
		d = 0
	}
	runCtx := ctx
	if d > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				i, ok := take()
				if !ok {
					return
				}
				op(ctx, i)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// AWSCredentials returns the AWS key pair to sign requests to t with:
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when set, else a new key made
// through baton's admin API with t's token.
func AWSCredentials(ctx context.Context, t *Target) (id, secret string, err error) {
	if id, secret = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return id, secret, nil
	}
	req, err := http.NewRequestWithContext(ctx, "POST", t.URL+"/api/baton/v1/aws-credentials",
		strings.NewReader(`{"description":"baton bench"}`))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("x-token", t.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	var k struct{ AccessKeyID, SecretAccessKey string }
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || resp.StatusCode != http.StatusCreated {
		return "", "", fmt.Errorf("create an AWS key on %s (status %d): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead", t.URL, resp.StatusCode)
	}
	return k.AccessKeyID, k.SecretAccessKey, nil
}
