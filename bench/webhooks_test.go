package bench

import (
	"context"
	"testing"

	"github.com/batonhq/baton/server"
)

// TestWebhooksRuns checks the webhook benchmark completes: every posted task
// event reaches the endpoint and its .finished reaches the notification hook.
func TestWebhooksRuns(t *testing.T) {
	tgt, err := Embedded(context.Background(), server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	r, err := Webhooks(context.Background(), tgt, WebhooksConfig{Concurrency: 4, Events: 40})
	if err != nil {
		t.Fatal(err)
	}
	if r.Calls != 40 || r.Errors > 0 {
		t.Fatalf("%d calls, %d errors", r.Calls, r.Errors)
	}
}
