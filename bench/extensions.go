package bench

// This file is the extensions benchmark: the time from a deployment step to
// its AWS-authored SQS extension messages being receivable, with 1 and with
// many associations, using aws-sdk-go-v2 clients on an embedded baton.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/server"
)

// ExtensionsOptions tune the extensions benchmark.
type ExtensionsOptions struct {
	Associations []int // association counts to measure (e.g. 1 and 100)
	Steps        int   // deployment steps timed per count (each deployment gives two: start, stop)
	Sync         string
}

// ExtensionsResult holds one Summary per association count.
type ExtensionsResult struct {
	Summaries []Summary
}

type extBench struct {
	ctx             context.Context
	ac              *appconfig.Client
	sq              *sqs.Client
	app, prof, slow string
}

// Extensions measures, for each association count n, the time from the
// request that makes a deployment step (StartDeployment: DEPLOYMENT_STARTED;
// StopDeployment: ROLLBACK_COMPLETED) to the moment all n messages of that
// step have been received from the queue.
func Extensions(ctx context.Context, o ExtensionsOptions) (*ExtensionsResult, error) {
	t, err := Embedded(ctx, server.Config{AWSAuth: server.AWSAuthAny, Sync: o.Sync})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	creds := credentials.NewStaticCredentialsProvider("bench", "bench", "")
	hc := Client(4)
	b := &extBench{ctx: ctx,
		ac: appconfig.New(appconfig.Options{BaseEndpoint: aws.String(t.URL), Region: "us-east-1", Credentials: creds, HTTPClient: hc}),
		sq: sqs.New(sqs.Options{BaseEndpoint: aws.String(t.URL), Region: "us-east-1", Credentials: creds, HTTPClient: hc}),
	}
	res := &ExtensionsResult{}
	for _, n := range o.Associations {
		s, err := b.run(n, o.Steps)
		if err != nil {
			return nil, err
		}
		res.Summaries = append(res.Summaries, s)
	}
	return res, nil
}

// run sets up an application with n associations to one queue and times steps.
func (b *extBench) run(n, steps int) (Summary, error) {
	name := "ext-bench-" + strconv.Itoa(n)
	arn := "arn:aws:sqs:us-east-1:000000000000:" + name
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q}]}`, arn)
	q, err := b.sq.CreateQueue(b.ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: map[string]string{"Policy": policy}})
	if err != nil {
		return Summary{}, fmt.Errorf("create queue: %w", err)
	}
	if err := b.setup(name, arn, n); err != nil {
		return Summary{}, err
	}
	var rec Recorder
	begin := time.Now()
	env, err := b.ac.CreateEnvironment(b.ctx, &appconfig.CreateEnvironmentInput{ApplicationId: &b.app, Name: aws.String("bench")})
	if err != nil {
		return Summary{}, err
	}
	for i := 0; len(rec.lat) < steps; i++ {
		t0 := time.Now()
		d, err := b.ac.StartDeployment(b.ctx, &appconfig.StartDeploymentInput{ApplicationId: &b.app, EnvironmentId: env.Id,
			ConfigurationProfileId: &b.prof, DeploymentStrategyId: &b.slow, ConfigurationVersion: aws.String("1")})
		if err != nil {
			return Summary{}, fmt.Errorf("start deployment: %w", err)
		}
		if err := b.drain(*q.QueueUrl, n, "OnDeploymentStart"); err != nil {
			return Summary{}, err
		}
		rec.Observe(time.Since(t0))
		t0 = time.Now()
		if _, err := b.ac.StopDeployment(b.ctx, &appconfig.StopDeploymentInput{ApplicationId: &b.app, EnvironmentId: env.Id,
			DeploymentNumber: &d.DeploymentNumber}); err != nil {
			return Summary{}, fmt.Errorf("stop deployment: %w", err)
		}
		if err := b.drain(*q.QueueUrl, n, "OnDeploymentRolledBack"); err != nil {
			return Summary{}, err
		}
		rec.Observe(time.Since(t0))
	}
	return rec.Summarize(fmt.Sprintf("step to messages receivable, %d association(s)", n), "steps", 1, time.Since(begin)), nil
}

// setup creates the application, profile, version, strategy and n associations.
func (b *extBench) setup(name, queueArn string, n int) error {
	app, err := b.ac.CreateApplication(b.ctx, &appconfig.CreateApplicationInput{Name: &name})
	if err != nil {
		return fmt.Errorf("create application: %w", err)
	}
	prof, err := b.ac.CreateConfigurationProfile(b.ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: app.Id, Name: aws.String("p"), LocationUri: aws.String("hosted")})
	if err != nil {
		return err
	}
	if _, err := b.ac.CreateHostedConfigurationVersion(b.ctx, &appconfig.CreateHostedConfigurationVersionInput{
		ApplicationId: app.Id, ConfigurationProfileId: prof.Id, Content: []byte(`{}`), ContentType: aws.String("application/json")}); err != nil {
		return err
	}
	st, err := b.ac.CreateDeploymentStrategy(b.ctx, &appconfig.CreateDeploymentStrategyInput{Name: &name,
		DeploymentDurationInMinutes: aws.Int32(60), GrowthFactor: aws.Float32(10), GrowthType: types.GrowthTypeLinear})
	if err != nil {
		return err
	}
	b.app, b.prof, b.slow = *app.Id, *prof.Id, *st.Id
	resource := "arn:aws:appconfig:us-east-1:000000000000:application/" + *app.Id
	for i := 0; i < n; i++ {
		if _, err := b.ac.CreateExtensionAssociation(b.ctx, &appconfig.CreateExtensionAssociationInput{
			ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSqs"), ResourceIdentifier: &resource,
			Parameters: map[string]string{"queueArn": queueArn}}); err != nil {
			return fmt.Errorf("associate: %w", err)
		}
	}
	return nil
}

// drain receives (long polling) until n messages of type typ arrived, then deletes them.
func (b *extBench) drain(url string, n int, typ string) error {
	var handles []string
	for len(handles) < n {
		r, err := b.sq.ReceiveMessage(b.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5})
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		if len(r.Messages) == 0 {
			return fmt.Errorf("received %d of %d %s messages before the queue went quiet", len(handles), n, typ)
		}
		for _, m := range r.Messages {
			if !strings.Contains(*m.Body, `"Type":"`+typ+`"`) {
				return fmt.Errorf("unexpected message %s", *m.Body)
			}
			handles = append(handles, *m.ReceiptHandle)
		}
	}
	for len(handles) > 0 {
		k := min(10, len(handles))
		var entries []sqstypes.DeleteMessageBatchRequestEntry
		for i, h := range handles[:k] {
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h)})
		}
		if _, err := b.sq.DeleteMessageBatch(b.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: entries}); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		handles = handles[k:]
	}
	return nil
}
