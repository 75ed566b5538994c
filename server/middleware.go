package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/batonhq/baton/outbox"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// routes holds the request counter and latency histogram of each
	// routeKey seen, so that a request does not hash its labels twice and
	// take two locks to find them. Its keys are as bounded as the labels.
	routes      sync.Map // routeKey → routeMetrics
	commitTime  prometheus.Histogram
	commitBatch prometheus.Histogram

	checkpointTime   prometheus.Histogram
	checkpointPages  prometheus.Histogram
	checkpointErrors prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "baton_http_requests_total", Help: "HTTP requests by route, method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "baton_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 25},
	}, []string{"route", "method"})
	m.commitTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "baton_store_commit_duration_seconds", Help: "Time from BEGIN to durable COMMIT of a group commit.",
		// Fine below 5 ms, where durable commits on local disks fall, so a
		// median read from the buckets is close.
		Buckets: []float64{.00005, .0001, .00015, .0002, .0003, .0004, .0005, .00075, .001, .0015, .002, .003, .005, .01, .025, .05, .1, .25, 1},
	})
	m.commitBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "baton_store_commit_transactions", Help: "Write transactions carried by one group commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.checkpointTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "baton_store_checkpoint_duration_seconds", Help: "Time of a background checkpoint of SQLite's write-ahead log.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	})
	m.checkpointPages = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "baton_store_checkpoint_frames", Help: "Write-ahead log frames a background checkpoint copied into the database file.",
		Buckets: []float64{0, 10, 100, 500, 1000, 2000, 4000, 8000},
	})
	m.checkpointErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "baton_store_checkpoint_errors_total", Help: "Background checkpoints of SQLite's write-ahead log that failed.",
	})
	m.reg.MustRegister(m.requests, m.latency, m.commitTime, m.commitBatch, m.checkpointTime, m.checkpointPages, m.checkpointErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeKey is the labels of a request's series.
type routeKey struct {
	route, method string
	status        int
}

type routeMetrics struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// observeRequest counts a request and records its latency.
func (m *metrics) observeRequest(route, method string, status int, took time.Duration) {
	k := routeKey{route, method, status}
	v, ok := m.routes.Load(k)
	if !ok {
		v, _ = m.routes.LoadOrStore(k, routeMetrics{
			requests: m.requests.WithLabelValues(route, method, metricCode(status)),
			latency:  m.latency.WithLabelValues(route, method),
		})
	}
	rm := v.(routeMetrics)
	rm.requests.Inc()
	rm.latency.Observe(took.Seconds())
}

func (m *metrics) observeCommit(ops int, took time.Duration) {
	m.commitTime.Observe(took.Seconds())
	m.commitBatch.Observe(float64(ops))
}

// watchOutbox exports the outbox depth per state, read at scrape time.
func (m *metrics) watchOutbox(st outbox.Store) {
	for _, state := range []outbox.State{outbox.StatePending, outbox.StateRunning, outbox.StateDead} {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "baton_outbox_items", Help: "Outbox items by state.", ConstLabels: prometheus.Labels{"state": string(state)},
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			d, err := st.Depth(ctx)
			if err != nil {
				return -1
			}
			return float64(d[state])
		}))
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush lets streaming handlers flush through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// knownMethods are the methods that get their own metric label; Go accepts
// any token as a method, so every other one is counted as "other" to keep the
// number of series bounded.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func metricMethod(m string) string {
	if knownMethods[m] {
		return m
	}
	return "other"
}

// metricCode is the status label: the code for the valid range, else "other".
func metricCode(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}

// middleware adds a request id, metrics per route pattern and a debug log line.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		if s.guard(rec, r) {
			next.ServeHTTP(rec, r)
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		method := metricMethod(r.Method)
		s.metrics.observeRequest(route, method, rec.status, took)
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.Debug("request", "id", id, "method", r.Method, "path", r.URL.Path, "route", route,
				"status", rec.status, "took", took)
		}
	})
}
