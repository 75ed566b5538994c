package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestExtensionDeliveryAfterKill: a baton process delivers AppConfig
// extension events to a queue it does not host (the "Amazon SQS" is a
// second baton, down at first). The process is SIGKILLed after the
// deployment completed with its deliveries pending in the outbox; after a
// restart, with the queue's host back, every event arrives.
func TestExtensionDeliveryAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx := context.Background()
	remoteDir := t.TempDir()
	remote := batontest.Start(t, server.Config{DataDir: remoteDir})
	addr := strings.TrimPrefix(remote.URL, "http://")
	rid, rsecret := remote.AWSKeys()
	sqsAt := func(url string) *sqs.Client {
		return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
			Credentials: credentials.NewStaticCredentialsProvider(rid, rsecret, "")})
	}
	q, err := sqsAt(remote.URL).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("far")})
	if err != nil {
		t.Fatal(err)
	}
	remote.Stop()

	t.Setenv("BATON_EXTENSIONS_SQS_ENDPOINT", remote.URL)
	t.Setenv("BATON_EXTENSIONS_SQS_ACCESS_KEY_ID", rid)
	t.Setenv("BATON_EXTENSIONS_SQS_SECRET_ACCESS_KEY", rsecret)
	data := t.TempDir()
	p := serve(t, data)
	env := []string{"BATON_URL=" + p.url, "BATON_TOKEN=" + processToken}
	id, secret := parseKey(t, runTool(t, env, batonBinary(t), "aws-credentials", "create"))
	ac := appconfig.New(appconfig.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.url),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	app := mustDo[*appconfig.CreateApplicationOutput](t)(ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("MyApp")}))
	e := mustDo[*appconfig.CreateEnvironmentOutput](t)(ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("MyEnv")}))
	prof := mustDo[*appconfig.CreateConfigurationProfileOutput](t)(ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: app.Id,
		Name: aws.String("MyConfigProfile"), LocationUri: aws.String("hosted")}))
	mustDo[*appconfig.CreateHostedConfigurationVersionOutput](t)(ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id,
		ConfigurationProfileId: prof.Id, Content: []byte(`{}`), ContentType: aws.String("application/json")}))
	st := mustDo[*appconfig.CreateDeploymentStrategyOutput](t)(ac.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("now"),
		DeploymentDurationInMinutes: aws.Int32(0), GrowthFactor: aws.Float32(100)}))
	mustDo[*appconfig.CreateExtensionAssociationOutput](t)(ac.CreateExtensionAssociation(ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSqs"),
		ResourceIdentifier:  aws.String("arn:aws:appconfig:us-east-1:000000000000:application/" + *app.Id),
		Parameters:          map[string]string{"queueArn": "arn:aws:sqs:us-east-1:000000000000:far"}}))
	mustDo[*appconfig.StartDeploymentOutput](t)(ac.StartDeployment(ctx, &appconfig.StartDeploymentInput{ApplicationId: app.Id, EnvironmentId: e.Id,
		ConfigurationProfileId: prof.Id, DeploymentStrategyId: st.Id, ConfigurationVersion: aws.String("1")}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := mustDo[*appconfig.GetDeploymentOutput](t)(ac.GetDeployment(ctx, &appconfig.GetDeploymentInput{ApplicationId: app.Id, EnvironmentId: e.Id,
			DeploymentNumber: aws.Int32(1)}))
		if d.State == types.DeploymentStateComplete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment is %s", d.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.kill()

	remote = batontest.Start(t, server.Config{Addr: addr, DataDir: remoteDir})
	serve(t, data)
	c := sqsAt(remote.URL)
	var got []string
	deadline = time.Now().Add(30 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		out := mustDo[*sqs.ReceiveMessageOutput](t)(c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2}))
		for _, m := range out.Messages {
			got = append(got, *m.Body)
		}
	}
	all := strings.Join(got, "\n")
	if len(got) != 2 || !strings.Contains(all, `"Type":"OnDeploymentStart"`) || !strings.Contains(all, `"Type":"OnDeploymentComplete"`) {
		t.Fatalf("after SIGKILL and restart, received %d messages:\n%s", len(got), all)
	}
}

func mustDo[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
