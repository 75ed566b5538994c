package extension_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type env struct {
	t     testing.TB
	in    *batontest.Instance
	clock *clock.Fake
	ac    *appconfig.Client
	sqs   *sqs.Client
	data  *appconfigdata.Client
	ctx   context.Context
}

func start(t testing.TB, cfg server.Config) *env {
	t.Helper()
	fc := clock.NewFake(t0)
	cfg.Clock = fc
	in := batontest.Start(t, cfg)
	id, secret := in.AWSKeys()
	creds := credentials.NewStaticCredentialsProvider(id, secret, "")
	return &env{t: t, in: in, clock: fc, ctx: context.Background(),
		ac:   appconfig.New(appconfig.Options{BaseEndpoint: aws.String(in.URL), Region: "us-east-1", Credentials: creds}),
		sqs:  sqs.New(sqs.Options{BaseEndpoint: aws.String(in.URL), Region: "us-east-1", Credentials: creds}),
		data: appconfigdata.New(appconfigdata.Options{BaseEndpoint: aws.String(in.URL), Region: "us-east-1", Credentials: creds}),
	}
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

// policy lets appconfig.amazonaws.com send to queue arn.
func policy(arn string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q}]}`, arn)
}

// queue creates a queue (with the AppConfig policy when allow) and returns its URL and ARN.
func (e *env) queue(name string, allow bool) (string, string) {
	e.t.Helper()
	arn := "arn:aws:sqs:us-east-1:000000000000:" + name
	attrs := map[string]string{}
	if allow {
		attrs["Policy"] = policy(arn)
	}
	q := must[*sqs.CreateQueueOutput](e.t)(e.sqs.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs}))
	return *q.QueueUrl, arn
}

// receive long-polls url for n messages (deadline 10 s) and deletes them.
func (e *env) receive(url string, n int) []string {
	e.t.Helper()
	var out []string
	deadline := time.Now().Add(10 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("received %d of %d messages: %v", len(out), n, out)
		}
		r := must[*sqs.ReceiveMessageOutput](e.t)(e.sqs.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1}))
		for _, m := range r.Messages {
			out = append(out, *m.Body)
			must[*sqs.DeleteMessageOutput](e.t)(e.sqs.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}))
		}
	}
	return out
}

// empty asserts url holds no message.
func (e *env) empty(url string) {
	e.t.Helper()
	r := must[*sqs.GetQueueAttributesOutput](e.t)(e.sqs.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}}))
	if n := r.Attributes["ApproximateNumberOfMessages"]; n != "0" {
		e.t.Fatalf("queue %s holds %s messages, want none", url, n)
	}
}

type fixture struct{ app, env, env2, profile, profile2, fast, slow string }

// fixture creates application "MyApp" with environments MyEnv and Other,
// profiles MyConfigProfile and Other (one version each), and strategies.
func (e *env) fixture() fixture {
	t := e.t
	var f fixture
	f.app = *must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(e.ctx, &appconfig.CreateApplicationInput{Name: aws.String("MyApp")})).Id
	mkEnv := func(name string) string {
		return *must[*appconfig.CreateEnvironmentOutput](t)(e.ac.CreateEnvironment(e.ctx, &appconfig.CreateEnvironmentInput{
			ApplicationId: &f.app, Name: &name})).Id
	}
	mkProfile := func(name string) string {
		p := *must[*appconfig.CreateConfigurationProfileOutput](t)(e.ac.CreateConfigurationProfile(e.ctx, &appconfig.CreateConfigurationProfileInput{
			ApplicationId: &f.app, Name: &name, LocationUri: aws.String("hosted")})).Id
		must[*appconfig.CreateHostedConfigurationVersionOutput](t)(e.ac.CreateHostedConfigurationVersion(e.ctx,
			&appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &f.app, ConfigurationProfileId: &p,
				Content: []byte(`{"color":"red"}`), ContentType: aws.String("application/json")}))
		return p
	}
	f.env, f.env2 = mkEnv("MyEnv"), mkEnv("Other")
	f.profile, f.profile2 = mkProfile("MyConfigProfile"), mkProfile("Other")
	mkStrategy := func(name string, dur int32) string {
		return *must[*appconfig.CreateDeploymentStrategyOutput](t)(e.ac.CreateDeploymentStrategy(e.ctx, &appconfig.CreateDeploymentStrategyInput{
			Name: &name, DeploymentDurationInMinutes: aws.Int32(dur), GrowthFactor: aws.Float32(50), GrowthType: types.GrowthTypeLinear})).Id
	}
	f.fast, f.slow = mkStrategy("fast", 0), mkStrategy("slow", 10)
	return f
}

func (e *env) deploy(app, envID, profile, strategy, desc string) (*appconfig.StartDeploymentOutput, error) {
	in := &appconfig.StartDeploymentInput{ApplicationId: &app, EnvironmentId: &envID, ConfigurationProfileId: &profile,
		DeploymentStrategyId: &strategy, ConfigurationVersion: aws.String("1")}
	if desc != "" {
		in.Description = &desc
	}
	return e.ac.StartDeployment(e.ctx, in)
}

// waitState polls GetDeployment until it reaches state (deadline 10 s).
func (e *env) waitState(app, envID string, n int32, state types.DeploymentState) *appconfig.GetDeploymentOutput {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := must[*appconfig.GetDeploymentOutput](e.t)(e.ac.GetDeployment(e.ctx, &appconfig.GetDeploymentInput{
			ApplicationId: &app, EnvironmentId: &envID, DeploymentNumber: &n}))
		if d.State == state {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("deployment %d is %s, want %s", n, d.State, state)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// invocations returns every action invocation of d, oldest event first.
func invocations(d *appconfig.GetDeploymentOutput) []types.ActionInvocation {
	var out []types.ActionInvocation
	for i := len(d.EventLog) - 1; i >= 0; i-- {
		out = append(out, d.EventLog[i].ActionInvocations...)
	}
	return out
}

// function is an HTTP extension function on loopback that answers with reply.
type function struct {
	*httptest.Server
	mu    sync.Mutex
	got   []map[string]any
	reply func(req map[string]any) (int, string)
	seen  chan struct{}
}

func newFunction(t testing.TB, reply func(req map[string]any) (int, string)) *function {
	f := &function{reply: reply, seen: make(chan struct{}, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req map[string]any
		_ = json.Unmarshal(b, &req)
		f.mu.Lock()
		f.got = append(f.got, req)
		f.mu.Unlock()
		status, body := f.reply(req)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		f.seen <- struct{}{}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *function) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.got...)
}

// served returns what a new appconfigdata session of app/env/profile gets.
func (e *env) served(app, envID, profile string) string {
	e.t.Helper()
	s := must[*appconfigdata.StartConfigurationSessionOutput](e.t)(e.data.StartConfigurationSession(e.ctx, &appconfigdata.StartConfigurationSessionInput{
		ApplicationIdentifier: &app, EnvironmentIdentifier: &envID, ConfigurationProfileIdentifier: &profile}))
	c := must[*appconfigdata.GetLatestConfigurationOutput](e.t)(e.data.GetLatestConfiguration(e.ctx, &appconfigdata.GetLatestConfigurationInput{
		ConfigurationToken: s.InitialConfigurationToken}))
	return string(c.Configuration)
}
