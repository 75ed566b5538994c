package bench

import (
	"context"
	"testing"

	"github.com/batonhq/baton/server"
)

// TestSequencesRuns checks the sequence benchmark completes and verifies its
// count against the stored sequence .finished events.
func TestSequencesRuns(t *testing.T) {
	tgt, err := Embedded(context.Background(), server.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	s, err := Sequences(context.Background(), tgt, SequencesConfig{Concurrency: 4, Sequences: 40, Started: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Ops != 40 || s.Errors > 0 {
		t.Fatalf("%d sequences, %d errors (first: %v)", s.Ops, s.Errors, s.FirstErr)
	}
}

// BenchmarkSequences measures 3-task sequences end to end (16 in flight);
// run with -cpuprofile to see where time goes.
func BenchmarkSequences(b *testing.B) {
	tgt, err := Embedded(context.Background(), server.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer tgt.Close()
	b.ResetTimer()
	s, err := Sequences(context.Background(), tgt, SequencesConfig{Concurrency: 16, Sequences: b.N, Started: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(s.Rate(), "sequences/s")
	b.ReportMetric(float64(s.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(s.P99.Microseconds()), "p99-µs")
}
