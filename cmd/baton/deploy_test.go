package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

func run(out *batontest.SyncBuffer, args ...string) error {
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	return cmd.ExecuteContext(context.Background())
}

// hostedProfile creates an application, an environment with the given
// monitors and a hosted profile with version 1, and returns their ids.
func hostedProfile(t *testing.T, c *appconfig.Client, monitors ...types.Monitor) (app, env, profile string) {
	t.Helper()
	ctx := context.Background()
	a, err := c.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: a.Id, Name: aws.String("e"), Monitors: monitors})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: a.Id,
		Name: aws.String("p"), LocationUri: aws.String("hosted")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: a.Id,
		ConfigurationProfileId: p.Id, Content: []byte(`{}`), ContentType: aws.String("application/json")}); err != nil {
		t.Fatal(err)
	}
	return *a.Id, *e.Id, *p.Id
}

// deployFixture creates an application, environment (monitoring alarm
// "cli"), profile with one version, and strategies "instant" and "slow".
func deployFixture(t *testing.T, url, id, secret string) (app, env, profile, instant, slow string) {
	ctx := context.Background()
	c := appconfig.New(appconfig.Options{BaseEndpoint: aws.String(url), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	app, env, profile = hostedProfile(t, c,
		types.Monitor{AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:cli")})
	var ids []string
	for _, dur := range []int32{0, 60} {
		s, err := c.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("s"),
			DeploymentDurationInMinutes: aws.Int32(dur), GrowthFactor: aws.Float32(10)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *s.Id)
	}
	return app, env, profile, ids[0], ids[1]
}

func TestDeployCommand(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	t.Setenv("BATON_URL", in.URL)
	t.Setenv("BATON_TOKEN", in.Token)
	id, secret := in.AWSKeys()
	t.Setenv("AWS_ACCESS_KEY_ID", id)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	app, env, profile, instant, slow := deployFixture(t, in.URL, id, secret)
	common := []string{"deploy", "--application", app, "--environment", env, "--profile", profile, "--version", "1"}

	var out batontest.SyncBuffer
	if err := run(&out, append(common, "--strategy", instant)...); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "deployment 1 of p") || !strings.Contains(s, "100.00% COMPLETE") {
		t.Fatalf("output:\n%s", s)
	}

	var out2 batontest.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- run(&out2, append(common, "--strategy", slow)...) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out2.String(), "DEPLOYING") {
		if time.Now().After(deadline) {
			t.Fatalf("deploy never showed progress:\n%s", out2.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	var alarmOut batontest.SyncBuffer
	if err := run(&alarmOut, "alarm", "set", "cli", "ALARM", "--reason", "test"); err != nil {
		t.Fatalf("alarm set: %v\n%s", err, alarmOut.String())
	}
	if err := <-done; !errors.Is(err, errRolledBack) {
		t.Fatalf("deploy returned %v, want errRolledBack\n%s", err, out2.String())
	}
	if s := out2.String(); !strings.Contains(s, "ROLLED_BACK by CLOUDWATCH_ALARM") {
		t.Fatalf("output:\n%s", s)
	}

	var list batontest.SyncBuffer
	if err := run(&list, "get", "deployments", "--application", app, "--environment", env); err != nil {
		t.Fatalf("get deployments: %v\n%s", err, list.String())
	}
	lines := strings.Split(strings.TrimSpace(list.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "ROLLED_BACK") ||
		!strings.HasPrefix(lines[2], "1 ") || !strings.Contains(lines[2], "COMPLETE") || !strings.Contains(lines[2], "100.00%") {
		t.Errorf("get deployments:\n%s", list.String())
	}
}
