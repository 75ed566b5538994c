package appconfigapi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	"github.com/aws/smithy-go"

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
	data  *appconfigdata.Client
	ctx   context.Context
}

func start(t testing.TB) *env {
	t.Helper()
	return startWith(t, server.Config{}, "us-east-1")
}

// startWith starts baton with cfg (and a fake clock) and clients that sign
// for region.
func startWith(t testing.TB, cfg server.Config, region string) *env {
	t.Helper()
	fc := clock.NewFake(t0)
	cfg.Clock = fc
	in := batontest.Start(t, cfg)
	id, secret := in.AWSKeys()
	creds := credentials.NewStaticCredentialsProvider(id, secret, "")
	return &env{t: t, in: in, clock: fc, ctx: context.Background(),
		ac:   appconfig.New(appconfig.Options{BaseEndpoint: aws.String(in.URL), Region: region, Credentials: creds}),
		data: appconfigdata.New(appconfigdata.Options{BaseEndpoint: aws.String(in.URL), Region: region, Credentials: creds}),
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

// apiError asserts err is the AWS error code.
func apiError(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

// waitState polls GetDeployment (real time, with a deadline) until cond holds.
func (e *env) waitDeployment(app, envID string, n int32, cond func(*appconfig.GetDeploymentOutput) bool) *appconfig.GetDeploymentOutput {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := e.ac.GetDeployment(e.ctx, &appconfig.GetDeploymentInput{ApplicationId: &app, EnvironmentId: &envID, DeploymentNumber: &n})
		if err != nil {
			e.t.Fatal(err)
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("deployment %d: state %s at %.1f%%: condition not reached", n, d.State, aws.ToFloat32(d.PercentageComplete))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func state(s types.DeploymentState) func(*appconfig.GetDeploymentOutput) bool {
	return func(d *appconfig.GetDeploymentOutput) bool { return d.State == s }
}

func percent(p float32) func(*appconfig.GetDeploymentOutput) bool {
	return func(d *appconfig.GetDeploymentOutput) bool { return aws.ToFloat32(d.PercentageComplete) == p }
}

func eventTypes(d *appconfig.GetDeploymentOutput) []string {
	var out []string
	for _, ev := range d.EventLog {
		out = append(out, string(ev.EventType))
	}
	return out
}

// session starts a data session and returns its first token.
func (e *env) session(app, envID, profile string) *string {
	e.t.Helper()
	out, err := e.data.StartConfigurationSession(e.ctx, &appconfigdata.StartConfigurationSessionInput{
		ApplicationIdentifier: &app, EnvironmentIdentifier: &envID, ConfigurationProfileIdentifier: &profile,
		RequiredMinimumPollIntervalInSeconds: aws.Int32(15)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.InitialConfigurationToken
}

// poll redeems *tok, stores the next token in it and returns the body.
func (e *env) poll(tok *string) string {
	e.t.Helper()
	out, err := e.data.GetLatestConfiguration(e.ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: tok})
	if err != nil {
		e.t.Fatal(err)
	}
	*tok = *out.NextPollConfigurationToken
	return string(out.Configuration)
}
