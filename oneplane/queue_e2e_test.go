package oneplane_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/server"
)

// queue creates a baton-hosted queue and returns its URL and ARN; policy
// "" leaves it without one.
func (p *plane) queue(name, policy string) (string, string) {
	p.t.Helper()
	attrs := map[string]string{}
	if policy != "" {
		attrs["Policy"] = policy
	}
	q, err := p.sqs.CreateQueue(p.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	p.must(err)
	a, err := p.sqs.GetQueueAttributes(p.ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	p.must(err)
	return *q.QueueUrl, a.Attributes["QueueArn"]
}

// receive reads n messages from url (with a deadline), in queue order.
func (p *plane) receive(url string, n int) []sqstypes.Message {
	p.t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("received %d messages, want %d", len(got), n)
		}
		out, err := p.sqs.ReceiveMessage(p.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}})
		p.must(err)
		for _, m := range out.Messages {
			got = append(got, m)
			_, err := p.sqs.DeleteMessage(p.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
			p.must(err)
		}
	}
	return got
}

func TestQueueReceivesEveryFinishedOfTheProjectInOrder(t *testing.T) {
	p := start(t, server.Config{})
	url, arn := p.queue("shop-finished", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Principal":{"Service":"webhook.baton.dev"},"Action":"sqs:SendMessage","Resource":"*"}]}`)
	closedURL, closedArn := p.queue("closed", "")
	p.putResource("", "webhook/webhook.yaml", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.*.finished
      queues: [%q, %q]
    - type: sh.keptn.event.*.*.finished
      queues: [%q]
`, arn, closedArn, arn), 201)

	kc := p.triggerDelivery(nil)
	tr := p.waitFor(kc, "sh.keptn.event.test.triggered", p.minute)
	for _, phase := range []string{"started", "finished"} {
		p.keptn("POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.test." + phase, "source": "tester",
			"shkeptncontext": kc, "triggeredid": tr.ID, "data": map[string]any{"project": "shop", "stage": "staging",
				"service": "web", "result": "pass", "status": "succeeded"}}, 200)
	}
	p.waitFor(kc, "sh.keptn.event.release.triggered", nil)

	msgs := p.receive(url, 3)
	var got []string
	for _, m := range msgs {
		var ev event
		if err := json.Unmarshal([]byte(*m.Body), &ev); err != nil {
			t.Fatalf("body is not a CloudEvent: %v: %s", err, *m.Body)
		}
		a := m.MessageAttributes
		if *a["type"].StringValue != ev.Type || *a["project"].StringValue != "shop" || *a["stage"].StringValue != "staging" ||
			*a["service"].StringValue != "web" || *a["shkeptncontext"].StringValue != kc {
			t.Fatalf("attributes of %s: %+v", ev.Type, a)
		}
		got = append(got, ev.Type)
	}
	want := "sh.keptn.event.deployment.finished sh.keptn.event.test.finished sh.keptn.event.staging.delivery.finished"
	if strings.Join(got, " ") != want {
		t.Fatalf("queue order: %v, want %s", got, want)
	}
	// The queue without a policy refused both task .finished events: each is a
	// dead delivery that says why.
	var page struct {
		Deliveries []struct {
			ID        int64  `json:"id"`
			State     string `json:"state"`
			LastError string `json:"lastError"`
		} `json:"deliveries"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		json.Unmarshal(p.keptn("GET", "/api/baton/v1/deliveries?kind=webhook.queue&state=dead", nil, 200), &page)
		if len(page.Deliveries) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond) // polling the deliveries with a deadline
	}
	if len(page.Deliveries) != 2 || !strings.Contains(page.Deliveries[0].LastError, "closed") ||
		!strings.Contains(page.Deliveries[0].LastError, "AccessDenied") {
		t.Fatalf("dead queue deliveries: %+v", page.Deliveries)
	}
	// Once the queue allows baton, a replay delivers the refused message.
	_, err := p.sqs.SetQueueAttributes(p.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &closedURL, Attributes: map[string]string{
		"Policy": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"webhook.baton.dev"},"Action":"sqs:SendMessage","Resource":"*"}]}`}})
	p.must(err)
	p.keptn("POST", fmt.Sprintf("/api/baton/v1/deliveries/%d/replay", page.Deliveries[0].ID), nil, 200)
	m := p.receive(closedURL, 1)[0]
	if !strings.Contains(*m.Body, `"type":"sh.keptn.event.`) || !strings.HasSuffix(*m.MessageAttributes["type"].StringValue, ".finished") {
		t.Fatalf("replayed message: %s %+v", *m.Body, m.MessageAttributes)
	}
}

func TestWebhookReceivesRolloutInOrder(t *testing.T) {
	got := make(chan map[string]any, 32)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		json.Unmarshal(b, &ev)
		got <- ev
	}))
	t.Cleanup(rc.Close)
	p := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	var hooks strings.Builder
	for _, phase := range []string{"started", "progressed", "completed"} {
		fmt.Fprintf(&hooks, `    - type: sh.baton.appconfig.deployment.%s
      sendStarted: false
      requests:
        - url: %s/rollout
          method: POST
          payload: '{"type":"{{.type}}","pct":{{.data.appconfig.PercentageComplete}},"state":"{{.data.appconfig.State}}"}'
`, phase, rc.URL)
	}
	p.putResource("/stage/staging/service/web", "webhook/webhook.yaml",
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n"+hooks.String(), 201)
	p.triggerDelivery(nil)

	next := func() string {
		t.Helper()
		select {
		case ev := <-got:
			return fmt.Sprintf("%v %v %v", ev["type"], ev["pct"], ev["state"])
		case <-time.After(20 * time.Second):
			t.Fatal("the receiver got no call")
		}
		return ""
	}
	want := []string{
		"sh.baton.appconfig.deployment.started 0 DEPLOYING",
		"sh.baton.appconfig.deployment.progressed 25 DEPLOYING",
		"sh.baton.appconfig.deployment.progressed 50 DEPLOYING",
		"sh.baton.appconfig.deployment.progressed 75 DEPLOYING",
		"sh.baton.appconfig.deployment.progressed 100 DEPLOYING",
		"sh.baton.appconfig.deployment.completed 100 COMPLETE",
	}
	// Each call arrives before the clock moves on to the next step.
	for i, w := range want {
		if i > 0 {
			p.minute()
		}
		if g := next(); g != w {
			t.Fatalf("call %d: %s, want %s", i, g, w)
		}
	}
}

func TestUniformSubscriptionHearsRollback(t *testing.T) {
	got := make(chan string, 8)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	t.Cleanup(rc.Close)
	p := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	b := p.keptn("POST", "/api/controlPlane/v1/uniform/registration", map[string]any{
		"name": "webhook-service", "metadata": map[string]any{"hostname": "node1", "kubernetesmetadata": map[string]any{"namespace": "keptn"}},
		"subscriptions": []map[string]any{{"event": "sh.baton.appconfig.deployment.>", "filter": map[string]any{"projects": []string{"shop"}}}},
	}, 201)
	var reg struct{ ID string }
	json.Unmarshal(b, &reg)
	var subs []struct{ ID string }
	json.Unmarshal(p.keptn("GET", "/api/controlPlane/v1/uniform/registration/"+reg.ID+"/subscription", nil, 200), &subs)
	if len(subs) != 1 {
		t.Fatalf("subscriptions: %+v", subs)
	}
	p.putResource("", "webhook/webhook.yaml", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.baton.appconfig.deployment.rolledback
      subscriptionID: %s
      sendStarted: false
      requests:
        - url: %s/chat
          method: POST
          payload: '{"text":"{{.data.message}}"}'
`, subs[0].ID, rc.URL), 201)
	kc := p.triggerDelivery(nil)
	p.waitFor(kc, "sh.baton.appconfig.deployment.started", nil)
	_, err := p.ac.StopDeployment(p.ctx, &appconfig.StopDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)
	select {
	case body := <-got:
		if body != `{"text":"AppConfig deployment 1 rolled back: Rollback initiated by user"}` {
			t.Fatalf("chat call: %s", body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the chat webhook was not called")
	}
}

// TestQueueOutsideBatonThroughOutbox sends events to a queue baton does not
// host: through the outbox and the extension module's SQS sender to an
// "Amazon SQS" that is a second baton, with the message attributes.
func TestQueueOutsideBatonThroughOutbox(t *testing.T) {
	remote := start(t, server.Config{})
	url, qarn := remote.queue("remote-events", "")
	id, secret := remote.in.AWSKeys()
	p := start(t, server.Config{ExtensionsSQS: extension.AmazonConfig{Region: "us-east-1", Endpoint: remote.in.URL,
		AccessKey: id, SecretKey: secret}})
	p.putResource("", "webhook/webhook.yaml", fmt.Sprintf(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.deployment.started
      queues: [%q]
`, qarn), 201)
	kc := p.triggerDelivery(nil)
	started := p.waitFor(kc, "sh.keptn.event.deployment.started", nil)
	m := remote.receive(url, 1)[0]
	var ev event
	if err := json.Unmarshal([]byte(*m.Body), &ev); err != nil || ev.ID != started.ID {
		t.Fatalf("message %s (%v), want event %s", *m.Body, err, started.ID)
	}
	if *m.MessageAttributes["shkeptncontext"].StringValue != kc || *m.MessageAttributes["type"].StringValue != ev.Type {
		t.Fatalf("attributes: %+v", m.MessageAttributes)
	}
	var page struct {
		Deliveries []struct{ State string } `json:"deliveries"`
	}
	json.Unmarshal(p.keptn("GET", "/api/baton/v1/deliveries?kind=webhook.queue", nil, 200), &page)
	if len(page.Deliveries) != 1 {
		t.Fatalf("deliveries: %+v", page.Deliveries)
	}
}
