package bench

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The statistics read back what a histogram observed: count, means, and a
// median interpolated within its bucket.
func TestReadCommitStats(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, ok := ReadCommitStats(reg); ok {
		t.Fatal("stats without commits")
	}
	took := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "baton_store_commit_duration_seconds",
		Buckets: []float64{.001, .002, .004}})
	txns := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "baton_store_commit_transactions",
		Buckets: []float64{1, 2, 4}})
	reg.MustRegister(took, txns)
	// 10 commits: 2 under 1 ms, 6 in (1 ms, 2 ms], 2 in (2 ms, 4 ms].
	for _, ms := range []float64{0.5, 0.5, 1.2, 1.4, 1.5, 1.5, 1.8, 2, 3, 3.6} {
		took.Observe(ms / 1000)
	}
	for _, n := range []float64{1, 3, 3, 3, 3, 3, 3, 3, 3, 5} {
		txns.Observe(n)
	}
	s, ok := ReadCommitStats(reg)
	if !ok {
		t.Fatal("no stats")
	}
	if s.Commits != 10 || s.Transactions != 3 {
		t.Fatalf("%+v", s)
	}
	if d := s.Mean - 1700*time.Microsecond; d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("mean %v, want 1.7ms", s.Mean)
	}
	// Rank 5 lies 3 of 6 into (1 ms, 2 ms]: 1.5 ms.
	if d := s.Median - 1500*time.Microsecond; d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("median %v, want 1.5ms", s.Median)
	}
}
