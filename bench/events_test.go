package bench

import (
	"context"
	"encoding/json"
	"net/http"
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

// Events posts real events that the server stores: every one it counts as
// done is in the datastore, and a target that refuses them fails the check.
// With ClientIDs every event has an id of its own, so none is taken for a
// retry of another.
func TestEventsAreStored(t *testing.T) {
	for _, ids := range []bool{false, true} {
		tgt, err := Embedded(t.Context(), server.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer tgt.Close()
		s, err := Events(t.Context(), tgt, EventsConfig{Concurrency: 8, Events: 200, DataBytes: 256, ClientIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		if s.Ops != 200 || s.Errors != 0 {
			t.Fatalf("client ids %v: %d events done, %d errors (first: %v); want 200 and none", ids, s.Ops, s.Errors, s.FirstErr)
		}
		req, _ := http.NewRequestWithContext(t.Context(), "GET", tgt.URL+"/api/mongodb-datastore/event?project=bench&pageSize=1", nil)
		req.Header.Set("x-token", tgt.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page struct{ TotalCount int }
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != 201 { // and the target check's
			t.Errorf("client ids %v: datastore holds %d events of project bench, want 201", ids, page.TotalCount)
		}
		bad := &Target{URL: tgt.URL, Token: "wrong"}
		if _, err := Events(t.Context(), bad, EventsConfig{Concurrency: 1, Events: 1, ClientIDs: ids}); err == nil {
			t.Errorf("client ids %v: a target that answers 401 passed the check", ids)
		}
	}
}
