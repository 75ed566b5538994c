package appconfigapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
	"github.com/google/go-cmp/cmp"
)

const schema = `{"type":"object","properties":{"color":{"type":"string"}},"required":["color"]}`

// fixture creates an application, an environment watched by alarm "errors",
// a validated profile and two versions.
type fixture struct{ app, env, profile string }

func (e *env) fixture() fixture {
	t := e.t
	app := must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(e.ctx, &appconfig.CreateApplicationInput{
		Name: aws.String("shop"), Tags: map[string]string{"team": "web"}}))
	envOut := must[*appconfig.CreateEnvironmentOutput](t)(e.ac.CreateEnvironment(e.ctx, &appconfig.CreateEnvironmentInput{
		ApplicationId: app.Id, Name: aws.String("prod"),
		Monitors: []types.Monitor{{AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors")}}}))
	p := must[*appconfig.CreateConfigurationProfileOutput](t)(e.ac.CreateConfigurationProfile(e.ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: app.Id, Name: aws.String("ui"), LocationUri: aws.String("hosted"),
		Validators: []types.Validator{{Type: types.ValidatorTypeJsonSchema, Content: aws.String(schema)}}}))
	for i, c := range []string{`{"color":"red"}`, `{"color":"blue"}`, `{"color":"green"}`} {
		v := must[*appconfig.CreateHostedConfigurationVersionOutput](t)(e.ac.CreateHostedConfigurationVersion(e.ctx,
			&appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id, ConfigurationProfileId: p.Id,
				Content: []byte(c), ContentType: aws.String("application/json"), VersionLabel: aws.String(fmt.Sprintf("v%d", i+1)),
				LatestVersionNumber: aws.Int32(int32(i))}))
		if v.VersionNumber != int32(i+1) || string(v.Content) != c {
			t.Fatalf("version %d: got %d %q", i+1, v.VersionNumber, v.Content)
		}
	}
	return fixture{app: *app.Id, env: *envOut.Id, profile: *p.Id}
}

func (e *env) strategy(name string, dur, bake int32, growth float32, typ types.GrowthType) string {
	s := must[*appconfig.CreateDeploymentStrategyOutput](e.t)(e.ac.CreateDeploymentStrategy(e.ctx, &appconfig.CreateDeploymentStrategyInput{
		Name: aws.String(name), DeploymentDurationInMinutes: aws.Int32(dur), FinalBakeTimeInMinutes: bake,
		GrowthFactor: aws.Float32(growth), GrowthType: typ}))
	return *s.Id
}

func (e *env) deploy(f fixture, strategy, version string) int32 {
	e.t.Helper()
	d := must[*appconfig.StartDeploymentOutput](e.t)(e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{
		ApplicationId: &f.app, EnvironmentId: &f.env, ConfigurationProfileId: &f.profile,
		DeploymentStrategyId: &strategy, ConfigurationVersion: &version}))
	if d.State != types.DeploymentStateDeploying || len(d.EventLog) != 1 || d.EventLog[0].EventType != types.DeploymentEventTypeDeploymentStarted {
		e.t.Fatalf("started deployment: state %s, events %v", d.State, d.EventLog)
	}
	return d.DeploymentNumber
}

func TestLifecycle(t *testing.T) {
	e := start(t)
	f := e.fixture()
	if len(f.app) != 7 || strings.Trim(f.app, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Fatalf("application id %q is not 7 [a-z0-9]", f.app)
	}
	slow := e.strategy("slow", 4, 2, 25, types.GrowthTypeLinear)

	t.Run("validators reject bad content", func(t *testing.T) {
		_, err := e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, Content: []byte(`{"colour":1}`),
			ContentType: aws.String("application/json")})
		apiError(t, err, "BadRequestException")
		_, err = e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, Content: []byte(`{"color":"x"}`),
			ContentType: aws.String("application/json"), LatestVersionNumber: aws.Int32(1)})
		apiError(t, err, "ConflictException")
		_, err = e.ac.ValidateConfiguration(e.ctx, &appconfig.ValidateConfigurationInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, ConfigurationVersion: aws.String("v2")})
		if err != nil {
			t.Fatal(err)
		}
	})

	tok := e.session(f.app, "prod", "ui")
	if got := e.poll(tok); got != "" {
		t.Fatalf("before any deployment got %q", got)
	}

	t.Run("custom strategy grows, bakes and completes", func(t *testing.T) {
		n := e.deploy(f, slow, "1")
		_, err := e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env,
			ConfigurationProfileId: &f.profile, DeploymentStrategyId: &slow, ConfigurationVersion: aws.String("2")})
		apiError(t, err, "ConflictException")
		envOut := must[*appconfig.GetEnvironmentOutput](t)(e.ac.GetEnvironment(e.ctx, &appconfig.GetEnvironmentInput{ApplicationId: &f.app, EnvironmentId: &f.env}))
		if envOut.State != "Deploying" {
			t.Fatalf("environment state %s, want Deploying", envOut.State)
		}
		for i, want := range []float32{25, 50, 75, 100} {
			e.clock.Advance(time.Minute)
			d := e.waitDeployment(f.app, f.env, n, percent(want))
			if i == 3 && d.State != types.DeploymentStateBaking {
				t.Fatalf("after 4 minutes state %s, want BAKING", d.State)
			}
		}
		e.clock.Advance(time.Minute)
		if d := e.waitDeployment(f.app, f.env, n, percent(100)); d.State != types.DeploymentStateBaking {
			t.Fatalf("mid-bake state %s", d.State)
		}
		e.clock.Advance(time.Minute)
		d := e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateComplete))
		want := []string{"DEPLOYMENT_COMPLETED", "BAKE_TIME_STARTED", "PERCENTAGE_UPDATED", "PERCENTAGE_UPDATED",
			"PERCENTAGE_UPDATED", "PERCENTAGE_UPDATED", "DEPLOYMENT_STARTED"}
		if diff := cmp.Diff(eventTypes(d), want); diff != "" {
			t.Fatalf("event log (-got +want):\n%s", diff)
		}
		if *d.EventLog[2].Description != "Configuration available to 100.00% of clients" {
			t.Fatalf("description %q", *d.EventLog[2].Description)
		}
		e.clock.Advance(15 * time.Second)
		if got := e.poll(tok); got != `{"color":"red"}` {
			t.Fatalf("data session got %q", got)
		}
		e.clock.Advance(15 * time.Second)
		if got := e.poll(tok); got != "" {
			t.Fatalf("unchanged configuration: got %q, want empty", got)
		}
	})

	t.Run("waiters", func(t *testing.T) {
		w := appconfig.NewDeploymentCompleteWaiter(e.ac, func(o *appconfig.DeploymentCompleteWaiterOptions) {
			o.MinDelay = time.Millisecond
			o.MaxDelay = time.Millisecond
		})
		if err := w.Wait(e.ctx, &appconfig.GetDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env, DeploymentNumber: aws.Int32(1)}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		ew := appconfig.NewEnvironmentReadyForDeploymentWaiter(e.ac, func(o *appconfig.EnvironmentReadyForDeploymentWaiterOptions) {
			o.MinDelay = time.Millisecond
			o.MaxDelay = time.Millisecond
		})
		if err := ew.Wait(e.ctx, &appconfig.GetEnvironmentInput{ApplicationId: &f.app, EnvironmentId: &f.env}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("predefined strategy buckets sessions by percentage", func(t *testing.T) {
		toks := make([]*string, 60)
		for i := range toks {
			toks[i] = e.session(f.app, f.env, f.profile)
			e.poll(toks[i])
		}
		n := e.deploy(f, "AppConfig.Linear50PercentEvery30Seconds", "v2")
		e.clock.Advance(30 * time.Second)
		e.waitDeployment(f.app, f.env, n, percent(50))
		got := 0
		for _, tk := range toks {
			if e.poll(tk) == `{"color":"blue"}` {
				got++
			}
		}
		if got < 10 || got > 50 {
			t.Fatalf("%d of 60 sessions got the new version at 50%%", got)
		}
		e.clock.Advance(30 * time.Second)
		e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateBaking))
		e.clock.Advance(time.Minute)
		e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateComplete))
		for _, tk := range toks {
			if c := e.poll(tk); c != "" && c != `{"color":"blue"}` {
				t.Fatalf("after completion got %q", c)
			}
		}
	})

	t.Run("stop rolls back", func(t *testing.T) {
		n := e.deploy(f, slow, "3")
		e.clock.Advance(time.Minute)
		e.waitDeployment(f.app, f.env, n, percent(25))
		d := must[*appconfig.StopDeploymentOutput](t)(e.ac.StopDeployment(e.ctx, &appconfig.StopDeploymentInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, DeploymentNumber: &n}))
		if d.State != types.DeploymentStateRolledBack || d.EventLog[0].EventType != types.DeploymentEventTypeRollbackCompleted ||
			d.EventLog[1].TriggeredBy != types.TriggeredByUser {
			t.Fatalf("after stop: %s %v", d.State, eventTypes((*appconfig.GetDeploymentOutput)(d)))
		}
		ew := appconfig.NewEnvironmentReadyForDeploymentWaiter(e.ac, func(o *appconfig.EnvironmentReadyForDeploymentWaiterOptions) {
			o.MinDelay = time.Millisecond
			o.MaxDelay = time.Millisecond
		})
		if err := ew.Wait(e.ctx, &appconfig.GetEnvironmentInput{ApplicationId: &f.app, EnvironmentId: &f.env}, 5*time.Second); err == nil {
			t.Fatal("environment waiter succeeded on a rolled back environment")
		}
		// Later timers of the stopped deployment change nothing.
		e.clock.Advance(10 * time.Minute)
		if d := e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateRolledBack)); aws.ToFloat32(d.PercentageComplete) != 25 {
			t.Fatalf("percentage moved after rollback: %v", aws.ToFloat32(d.PercentageComplete))
		}
	})

	t.Run("revert", func(t *testing.T) {
		fast := e.strategy("fast", 0, 0, 100, types.GrowthTypeLinear)
		n := e.deploy(f, fast, "3")
		e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateComplete)) // no clock advance needed
		s := e.session(f.app, f.env, f.profile)
		if got := e.poll(s); got != `{"color":"green"}` {
			t.Fatalf("got %q", got)
		}
		_, err := e.ac.StopDeployment(e.ctx, &appconfig.StopDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env, DeploymentNumber: &n})
		apiError(t, err, "BadRequestException")
		d := must[*appconfig.StopDeploymentOutput](t)(e.ac.StopDeployment(e.ctx, &appconfig.StopDeploymentInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, DeploymentNumber: &n, AllowRevert: aws.Bool(true)}))
		if d.State != types.DeploymentStateReverted {
			t.Fatalf("state %s", d.State)
		}
		e.clock.Advance(15 * time.Second)
		if got := e.poll(s); got != `{"color":"blue"}` {
			t.Fatalf("after revert got %q, want the previous version", got)
		}
	})

	t.Run("alarm rolls back", func(t *testing.T) {
		n := e.deploy(f, slow, "3")
		e.clock.Advance(time.Minute)
		e.waitDeployment(f.app, f.env, n, percent(25))
		if code, body := e.in.Do(http.MethodPut, "/baton/v1/alarms/errors", map[string]string{"State": "ALARM", "Reason": "5xx"}); code != 200 {
			t.Fatalf("set alarm: %d %s", code, body)
		}
		d := e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateRolledBack))
		if d.EventLog[0].TriggeredBy != types.TriggeredByCloudwatchAlarm {
			t.Fatalf("triggered by %s", d.EventLog[0].TriggeredBy)
		}
		// A deployment started while the alarm fires is rolled back at once.
		d2 := must[*appconfig.StartDeploymentOutput](t)(e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, ConfigurationProfileId: &f.profile,
			DeploymentStrategyId: &slow, ConfigurationVersion: aws.String("3")}))
		if d2.State != types.DeploymentStateRolledBack || d2.EventLog[0].TriggeredBy != types.TriggeredByCloudwatchAlarm {
			t.Fatalf("deployment under a firing alarm: %s", d2.State)
		}
		e.in.Do(http.MethodPut, "/baton/v1/alarms/errors", map[string]string{"State": "OK"})
		n = e.deploy(f, slow, "3")
		e.clock.Advance(7 * time.Minute)
		e.waitDeployment(f.app, f.env, n, state(types.DeploymentStateComplete))
	})

	t.Run("lists, tags and strategies", func(t *testing.T) {
		l := must[*appconfig.ListDeploymentsOutput](t)(e.ac.ListDeployments(e.ctx, &appconfig.ListDeploymentsInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, MaxResults: aws.Int32(2)}))
		if len(l.Items) != 2 || l.NextToken == nil || l.Items[0].DeploymentNumber <= l.Items[1].DeploymentNumber {
			t.Fatalf("first page: %+v", l)
		}
		l2 := must[*appconfig.ListDeploymentsOutput](t)(e.ac.ListDeployments(e.ctx, &appconfig.ListDeploymentsInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, MaxResults: aws.Int32(50), NextToken: l.NextToken}))
		if len(l2.Items) != 5 || l2.NextToken != nil {
			t.Fatalf("second page: %d items", len(l2.Items))
		}
		arn := fmt.Sprintf("arn:aws:appconfig:us-east-1:000000000000:application/%s", f.app)
		must[*appconfig.TagResourceOutput](t)(e.ac.TagResource(e.ctx, &appconfig.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"tier": "1"}}))
		must[*appconfig.UntagResourceOutput](t)(e.ac.UntagResource(e.ctx, &appconfig.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}))
		tags := must[*appconfig.ListTagsForResourceOutput](t)(e.ac.ListTagsForResource(e.ctx, &appconfig.ListTagsForResourceInput{ResourceArn: &arn}))
		if diff := cmp.Diff(tags.Tags, map[string]string{"tier": "1"}); diff != "" {
			t.Fatalf("tags (-got +want):\n%s", diff)
		}
		ss := must[*appconfig.ListDeploymentStrategiesOutput](t)(e.ac.ListDeploymentStrategies(e.ctx, &appconfig.ListDeploymentStrategiesInput{}))
		var ids []string
		for _, s := range ss.Items {
			ids = append(ids, *s.Id)
		}
		if !slices.Contains(ids, "AppConfig.AllAtOnce") || !slices.Contains(ids, "AppConfig.Canary10Percent20Minutes") {
			t.Fatalf("strategies %v", ids)
		}
		tmp := e.strategy("tmp", 1, 1, 10, types.GrowthTypeExponential)
		must[*appconfig.DeleteDeploymentStrategyOutput](t)(e.ac.DeleteDeploymentStrategy(e.ctx, &appconfig.DeleteDeploymentStrategyInput{DeploymentStrategyId: &tmp}))
		_, err := e.ac.GetDeploymentStrategy(e.ctx, &appconfig.GetDeploymentStrategyInput{DeploymentStrategyId: &tmp})
		apiError(t, err, "ResourceNotFoundException")
		_, err = e.ac.DeleteDeploymentStrategy(e.ctx, &appconfig.DeleteDeploymentStrategyInput{DeploymentStrategyId: aws.String("AppConfig.AllAtOnce")})
		apiError(t, err, "BadRequestException")
	})
}

func TestFeatureFlagsAreTransformed(t *testing.T) {
	e := start(t)
	app := must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(e.ctx, &appconfig.CreateApplicationInput{Name: aws.String("a")}))
	envOut := must[*appconfig.CreateEnvironmentOutput](t)(e.ac.CreateEnvironment(e.ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("e")}))
	p := must[*appconfig.CreateConfigurationProfileOutput](t)(e.ac.CreateConfigurationProfile(e.ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: app.Id, Name: aws.String("flags"), LocationUri: aws.String("hosted"), Type: aws.String("AWS.AppConfig.FeatureFlags")}))
	_, err := e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id,
		ConfigurationProfileId: p.Id, Content: []byte(`{"flags":{}}`), ContentType: aws.String("application/json")})
	apiError(t, err, "BadRequestException")
	doc := `{"version":"1","flags":{"dark":{"name":"Dark mode","attributes":{"level":{"constraints":{"type":"number"}}}},"beta":{"name":"Beta"}},
		"values":{"dark":{"enabled":true,"level":3,"_updatedAt":"2024-01-01T00:00:00Z"}}}`
	must[*appconfig.CreateHostedConfigurationVersionOutput](t)(e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{
		ApplicationId: app.Id, ConfigurationProfileId: p.Id, Content: []byte(doc), ContentType: aws.String("application/json")}))
	must[*appconfig.StartDeploymentOutput](t)(e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{ApplicationId: app.Id, EnvironmentId: envOut.Id,
		ConfigurationProfileId: p.Id, DeploymentStrategyId: aws.String("AppConfig.AllAtOnce"), ConfigurationVersion: aws.String("1")}))
	e.waitDeployment(*app.Id, *envOut.Id, 1, state(types.DeploymentStateBaking))
	tok := e.session("a", "e", "flags") // names work as identifiers
	out, err := e.data.GetLatestConfiguration(e.ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"beta":{"enabled":false},"dark":{"enabled":true,"level":3}}`; string(out.Configuration) != want {
		t.Fatalf("got %s, want %s", out.Configuration, want)
	}
	// Tokens are single use, and polling early is refused.
	_, err = e.data.GetLatestConfiguration(e.ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: tok})
	apiError(t, err, "BadRequestException")
	_, err = e.data.GetLatestConfiguration(e.ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: out.NextPollConfigurationToken})
	apiError(t, err, "BadRequestException")
}
