package webhook

import (
	"strings"
	"testing"
)

func TestParseConfigQueues(t *testing.T) {
	const arn = "arn:aws:sqs:us-east-1:000000000000:events"
	c, err := ParseConfig([]byte("apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n" +
		"    - type: sh.keptn.event.*.finished\n      queues: [" + arn + "]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Webhooks[0]; len(w.Queues) != 1 || w.Queues[0] != arn || len(w.Requests) != 0 {
		t.Fatalf("webhook: %+v", w)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"apiVersion: webhookconfig.keptn.sh/v1alpha1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      queues: [" + arn + "]\n",
			"queues need apiVersion webhookconfig.keptn.sh/v1beta1"},
		{"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      queues: [https://sqs.example/1/q]\n",
			"is not an SQS queue ARN"},
		{"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n",
			"at least one request or queue is required"},
	} {
		if _, err := ParseConfig([]byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}
