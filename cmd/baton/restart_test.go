package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"

	"github.com/batonhq/baton/batontest"
)

// TestDeploymentSurvivesKill builds the real binary, starts a deployment,
// SIGKILLs baton mid-deployment and restarts it on the same data directory:
// the deployment's durable timers carry it on to COMPLETE.
func TestDeploymentSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	data := t.TempDir()
	first := batontest.StartProcess(t, data, "--time-scale", "60")
	id, secret := first.AWSKeys()
	c := appconfig.New(appconfig.Options{BaseEndpoint: aws.String(first.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	app, env, n := startSlowDeployment(t, c)
	// 4 steps of 25% over 2 (virtual) minutes, then 1 minute of bake: kill
	// after the first step, before the end.
	d := waitDeployment(t, c, app, env, n, func(d *appconfig.GetDeploymentOutput) bool {
		return aws.ToFloat32(d.PercentageComplete) >= 25
	})
	if d.State == types.DeploymentStateComplete {
		t.Fatal("deployment completed before the kill; the test proves nothing")
	}
	first.Kill()
	batontest.StartProcessAt(t, data, first.Addr, "--time-scale", "60")
	d = waitDeployment(t, c, app, env, n, func(d *appconfig.GetDeploymentOutput) bool {
		return d.State == types.DeploymentStateComplete
	})
	if len(d.EventLog) != 7 || d.EventLog[0].EventType != types.DeploymentEventTypeDeploymentCompleted {
		t.Fatalf("event log after restart: %d events", len(d.EventLog))
	}
}

func startSlowDeployment(t *testing.T, c *appconfig.Client) (string, string, int32) {
	ctx := context.Background()
	app, env, profile := hostedProfile(t, c)
	st, err := c.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("s"),
		DeploymentDurationInMinutes: aws.Int32(2), FinalBakeTimeInMinutes: 1, GrowthFactor: aws.Float32(25)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.StartDeployment(ctx, &appconfig.StartDeploymentInput{ApplicationId: &app, EnvironmentId: &env,
		ConfigurationProfileId: &profile, DeploymentStrategyId: st.Id, ConfigurationVersion: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	return app, env, d.DeploymentNumber
}

func waitDeployment(t *testing.T, c *appconfig.Client, app, env string, n int32, cond func(*appconfig.GetDeploymentOutput) bool) *appconfig.GetDeploymentOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.GetDeployment(context.Background(), &appconfig.GetDeploymentInput{ApplicationId: &app, EnvironmentId: &env, DeploymentNumber: &n})
		if err != nil {
			t.Fatal(err)
		}
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %d stuck in %s at %.0f%%", n, d.State, aws.ToFloat32(d.PercentageComplete))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
