package bench

import (
	"context"
	"testing"

	"github.com/batonhq/baton/server"
)

// TestWebhooksRuns checks the webhook benchmark completes in both modes:
// every posted task event reaches the endpoint; at saturation the run ends
// once every .finished is stored, paced it measures each .finished through
// the notification hook.
func TestWebhooksRuns(t *testing.T) {
	tgt, err := Embedded(context.Background(), server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	for _, tc := range []struct {
		name     string
		rate     float64
		finishes int
	}{
		{"saturation", 0, 0},
		{"paced", 400, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Webhooks(context.Background(), tgt, WebhooksConfig{Concurrency: 4, Events: 40, Rate: tc.rate})
			if err != nil {
				t.Fatal(err)
			}
			if r.Calls != 40 || r.Errors > 0 {
				t.Fatalf("%d calls, %d errors", r.Calls, r.Errors)
			}
			if r.Paced != (tc.rate > 0) || r.Finish.Ops != tc.finishes {
				t.Errorf("paced %v with %d finish latencies, want %v with %d", r.Paced, r.Finish.Ops, tc.rate > 0, tc.finishes)
			}
			if r.Elapsed < r.LastCall {
				t.Errorf("elapsed %s ends before the last call at %s", r.Elapsed, r.LastCall)
			}
		})
	}
}
