package bridge_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

func (f *fixture) awsCreds() aws.CredentialsProvider {
	id, secret := f.in.AWSKeys()
	return credentials.NewStaticCredentialsProvider(id, secret, "")
}

func (f *fixture) appconfigClient() *appconfig.Client {
	return appconfig.New(appconfig.Options{BaseEndpoint: aws.String(f.in.URL), Region: "us-east-1", Credentials: f.awsCreds()})
}

func (f *fixture) sqsClient() *sqs.Client {
	return sqs.New(sqs.Options{BaseEndpoint: aws.String(f.in.URL), Region: "us-east-1", Credentials: f.awsCreds()})
}

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// acFixture is an application "shop" with environment "prod", a hosted
// profile "ui" with two versions, and a custom strategy (2 minutes linear
// 50%, 1 minute bake).
type acFixture struct{ app, env, profile, strategy string }

func newACFixture(t *testing.T, ac *appconfig.Client) acFixture {
	ctx := context.Background()
	app := must[*appconfig.CreateApplicationOutput](t)(ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("shop")}))
	env := must[*appconfig.CreateEnvironmentOutput](t)(ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("prod")}))
	p := must[*appconfig.CreateConfigurationProfileOutput](t)(ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: app.Id, Name: aws.String("ui"), LocationUri: aws.String("hosted")}))
	for _, c := range []string{"color: red\nsize: 3\n", "color: blue\nsize: 3\n"} {
		must[*appconfig.CreateHostedConfigurationVersionOutput](t)(ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: app.Id, ConfigurationProfileId: p.Id, Content: []byte(c), ContentType: aws.String("application/x-yaml")}))
	}
	s := must[*appconfig.CreateDeploymentStrategyOutput](t)(ac.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{
		Name: aws.String("steady"), DeploymentDurationInMinutes: aws.Int32(2), FinalBakeTimeInMinutes: 1,
		GrowthFactor: aws.Float32(50), GrowthType: types.GrowthTypeLinear}))
	return acFixture{app: *app.Id, env: *env.Id, profile: *p.Id, strategy: *s.Id}
}

func (a acFixture) deploy(t *testing.T, ac *appconfig.Client, strategy, version string) int32 {
	d := must[*appconfig.StartDeploymentOutput](t)(ac.StartDeployment(context.Background(), &appconfig.StartDeploymentInput{
		ApplicationId: &a.app, EnvironmentId: &a.env, ConfigurationProfileId: &a.profile,
		DeploymentStrategyId: &strategy, ConfigurationVersion: &version}))
	return d.DeploymentNumber
}

func TestAppConfigDeploymentProgressIsLive(t *testing.T) {
	fc := clock.NewFake(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := newFixture(t, server.Config{Clock: fc})
	f.login()
	if page := f.mustGet("/bridge/appconfig"); !strings.Contains(page, "No AppConfig applications yet") {
		t.Errorf("empty AppConfig page:\n%s", page)
	}
	ac := f.appconfigClient()
	a := newACFixture(t, ac)
	wantAll(t, "applications", f.mustGet("/bridge/appconfig"), "/bridge/appconfig/"+a.app, "shop")
	wantAll(t, "application", f.mustGet("/bridge/appconfig/"+a.app), "/bridge/appconfig/"+a.app+"/"+a.env, "prod", "ui", "hosted")

	// Version 1 all at once, then version 2 with the steady strategy.
	first := a.deploy(t, ac, a.strategy, "1")
	for range 3 {
		fc.Advance(time.Minute)
	}
	waitDeployment(t, ac, a, first, types.DeploymentStateComplete)
	// Deployment events go to a queue whose policy does not let AppConfig in.
	sq := f.sqsClient()
	qURL := must[*sqs.CreateQueueOutput](t)(sq.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("ac-events")})).QueueUrl
	qARN := must[*sqs.GetQueueAttributesOutput](t)(sq.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: qURL,
		AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})).Attributes["QueueArn"]
	must[*appconfig.CreateExtensionAssociationOutput](t)(ac.CreateExtensionAssociation(context.Background(), &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSqs"),
		ResourceIdentifier:  aws.String("arn:aws:appconfig:us-east-1:000000000000:application/" + a.app),
		Parameters:          map[string]string{"queueArn": qARN}}))
	n := a.deploy(t, ac, a.strategy, "2")
	path := fmt.Sprintf("/bridge/appconfig/%s/%s/%d", a.app, a.env, n)
	page := f.mustGet(path)
	wantAll(t, "deployment", page, "DEPLOYING", "0%", "growing", "replaces version 1",
		`<span class="del">- color: red</span>`, `<span class="add">&#43; color: blue</span>`, `<span class="">  size: 3</span>`)
	digest := regexp.MustCompile(`data-live-digest="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	s := f.stream(t.Context(), path, digest)
	fc.Advance(time.Minute)
	s.waitFor(t, `<span id="deploy-pct">50%</span>`)
	fc.Advance(time.Minute)
	s.waitFor(t, "BAKING")
	fc.Advance(time.Minute)
	got := s.waitFor(t, `<strong id="deploy-state">COMPLETE</strong>`)
	wantAll(t, "completed deployment", got, "100%", "DEPLOYMENT_COMPLETED", "BAKE_TIME_STARTED",
		"failed — AccessDenied:", "appconfig.amazonaws.com to send messages")
	list := f.mustGet(fmt.Sprintf("/bridge/appconfig/%s/%s", a.app, a.env))
	wantAll(t, "deployments", list, fmt.Sprintf("/%d\">%d</a>", n, n), "COMPLETE", `max="100" value="100"`)
	if st, _ := f.get("/bridge/appconfig/nope"); st != 404 {
		t.Errorf("unknown application: %d", st)
	}
}

func waitDeployment(t *testing.T, ac *appconfig.Client, a acFixture, n int32, want types.DeploymentState) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d := must[*appconfig.GetDeploymentOutput](t)(ac.GetDeployment(context.Background(), &appconfig.GetDeploymentInput{
			ApplicationId: &a.app, EnvironmentId: &a.env, DeploymentNumber: &n}))
		if d.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %d: state %s, want %s", n, d.State, want)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}

func TestQueuePages(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.login()
	ctx := context.Background()
	if page := f.mustGet("/bridge/queues"); !strings.Contains(page, "No queues yet") {
		t.Errorf("empty queues page:\n%s", page)
	}
	sq := f.sqsClient()
	dlqURL := must[*sqs.CreateQueueOutput](t)(sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})).QueueUrl
	arn := must[*sqs.GetQueueAttributesOutput](t)(sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlqURL,
		AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})).Attributes["QueueArn"]
	qURL := must[*sqs.CreateQueueOutput](t)(sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"),
		Attributes: map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"2"}`}})).QueueUrl
	must[*sqs.SendMessageOutput](t)(sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: qURL, MessageBody: aws.String(`{"order": 42}`)}))
	// Receive once without deleting: receive count 1, visible again at once
	// (the queue's visibility timeout is 0).
	rec := must[*sqs.ReceiveMessageOutput](t)(sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qURL, VisibilityTimeout: 0}))
	if len(rec.Messages) != 1 {
		t.Fatalf("receive: %d messages", len(rec.Messages))
	}

	wantAll(t, "queues", f.mustGet("/bridge/queues"), `/bridge/queues/orders"`, `<a href="/bridge/queues/orders-dlq">orders-dlq</a>`)
	for range 2 {
		wantAll(t, "peek", f.mustGet("/bridge/queues/orders"), "{&#34;order&#34;: 42}", `<td class="receive-count">1</td>`, "Visible <strong>1</strong>")
	}
	// Through the SQS API: the peeks neither hid the message nor counted as receives.
	rec = must[*sqs.ReceiveMessageOutput](t)(sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qURL, VisibilityTimeout: 0,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}}))
	if len(rec.Messages) != 1 || rec.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after peeking: %+v", rec.Messages)
	}
	// The next receive moves it to the dead-letter queue (maxReceiveCount 2).
	rec = must[*sqs.ReceiveMessageOutput](t)(sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: qURL, VisibilityTimeout: 0}))
	if len(rec.Messages) != 0 {
		t.Fatalf("third receive got %d messages", len(rec.Messages))
	}
	dlq := f.mustGet("/bridge/queues/orders-dlq")
	wantAll(t, "dead-letter queue", dlq, "{&#34;order&#34;: 42}", "from "+strings.Replace(arn, "orders-dlq", "orders", 1), "Move back to source")
	resp := f.post("/bridge/queues/orders-dlq/redrive", nil, nil)
	if resp.StatusCode != 303 {
		t.Fatalf("redrive: %d %s", resp.StatusCode, body(resp))
	}
	wantAll(t, "source after move-back", f.mustGet("/bridge/queues/orders"), "{&#34;order&#34;: 42}", `<td class="receive-count">0</td>`)
	if page := f.mustGet("/bridge/queues/orders-dlq"); !strings.Contains(page, "The queue is empty") {
		t.Errorf("dead-letter queue after move-back:\n%s", page)
	}

	// A test message, then a purge: refused without the name, done with it.
	resp = f.post("/bridge/queues/orders/send", url.Values{"body": {"test from the bridge"}}, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/bridge/queues/orders?done=sent" {
		t.Fatalf("send: %d %s", resp.StatusCode, body(resp))
	}
	wantAll(t, "after send", f.mustGet("/bridge/queues/orders?done=sent"), "Test message sent.", "test from the bridge", "Visible <strong>2</strong>")
	resp = f.post("/bridge/queues/orders/purge", url.Values{"confirm": {"order"}}, nil)
	if page := body(resp); resp.StatusCode != 400 || !strings.Contains(page, "Nothing was deleted") {
		t.Fatalf("purge without confirmation: %d %s", resp.StatusCode, page)
	}
	resp = f.post("/bridge/queues/orders/purge", url.Values{"confirm": {"orders"}}, nil)
	if resp.StatusCode != 303 {
		t.Fatalf("purge: %d %s", resp.StatusCode, body(resp))
	}
	attrs := must[*sqs.GetQueueAttributesOutput](t)(sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qURL,
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages"}}))
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("after purge: %v", attrs.Attributes)
	}
	if st, page := f.get("/bridge/queues/missing"); st != 404 || !strings.Contains(page, "does not exist") {
		t.Errorf("missing queue: %d %s", st, page)
	}
}
