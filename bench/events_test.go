package bench

import (
	"context"
	"testing"

	"github.com/batonhq/baton/postgres/pgtest"
	"github.com/batonhq/baton/server"
)

// BenchmarkEventIngest measures POST /api/v1/event end to end against an
// embedded server (64 concurrent clients); run with -cpuprofile to see where
// time goes.
func BenchmarkEventIngest(b *testing.B) { benchIngest(b, server.Config{}) }

// BenchmarkEventIngestPostgres is BenchmarkEventIngest on PostgreSQL (a fresh
// database of $BATON_TEST_DATABASE_URL's server; skipped without it).
func BenchmarkEventIngestPostgres(b *testing.B) {
	benchIngest(b, server.Config{Database: pgtest.URL(b)})
}

func benchIngest(b *testing.B, cfg server.Config) {
	t, err := Embedded(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	b.ResetTimer()
	s, err := Events(context.Background(), t, EventsConfig{Concurrency: 64, Events: b.N})
	if err != nil {
		b.Fatal(err)
	}
	if s.Errors > 0 {
		b.Fatalf("%d errors, first: %v", s.Errors, s.FirstErr)
	}
	b.ReportMetric(s.Rate(), "events/s")
	b.ReportMetric(float64(s.P99.Microseconds()), "p99-µs")
}

// BenchmarkWebhooks measures webhook dispatch against an embedded server.
func BenchmarkWebhooks(b *testing.B) {
	t, err := Embedded(context.Background(), server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	b.ResetTimer()
	r, err := Webhooks(context.Background(), t, WebhooksConfig{Concurrency: 32, Events: b.N})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(r.Calls)/r.Elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(r.Dispatch.P50.Microseconds()), "dispatch-p50-µs")
}
