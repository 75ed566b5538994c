package oneplane_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// BenchmarkEventToHostedQueue measures POST /api/v1/event for an event a
// queue-only webhook matches: the event, its hosted queue message and the
// webhook lookups commit together. Compare with BenchmarkEventNoWebhook.
func BenchmarkEventToHostedQueue(b *testing.B) { benchEvents(b, true) }

// BenchmarkEventNoWebhook is the same event in a project without webhooks.
func BenchmarkEventNoWebhook(b *testing.B) { benchEvents(b, false) }

func benchEvents(b *testing.B, queue bool) {
	in := batontest.Start(b, server.Config{Out: io.Discard})
	do := func(method, path string, body any, want int) {
		if st, out := in.Do(method, path, body); st != want {
			b.Fatalf("%s %s: %d %s", method, path, st, out)
		}
	}
	do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop",
		"shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))}, 201)
	do("POST", "/api/controlPlane/v1/project/shop/service", map[string]any{"serviceName": "web"}, 200)
	if queue {
		arn := "arn:aws:sqs:us-east-1:000000000000:bench"
		policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"webhook.baton.dev"},"Action":"sqs:SendMessage","Resource":"*"}]}`
		if _, err := in.SQS.CreateQueue(context.Background(), "bench", map[string]string{"Policy": policy}, nil); err != nil {
			b.Fatal(err)
		}
		hook := fmt.Sprintf("apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n"+
			"    - type: sh.keptn.event.build.finished\n      queues: [%q]\n", arn)
		do("POST", "/api/resource-service/v1/project/shop/resource", map[string]any{"resources": []map[string]string{
			{"resourceURI": "webhook/webhook.yaml", "resourceContent": base64.StdEncoding.EncodeToString([]byte(hook))}}}, 201)
	}
	ev := map[string]any{"type": "sh.keptn.event.build.finished", "source": "bench",
		"data": map[string]any{"project": "shop", "stage": "staging", "service": "web", "result": "pass", "status": "succeeded"}}
	b.ResetTimer()
	for b.Loop() {
		do("POST", "/api/v1/event", ev, 200)
	}
}
