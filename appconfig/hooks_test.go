package appconfig_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sqlite"
)

// recorder is a Hooks that records the action points it saw.
type recorder struct {
	points     []appconfig.ActionPoint
	blockStart bool
	tick       appconfig.Directive
}

func (r *recorder) PreCreateHostedVersion(_ context.Context, in *appconfig.PreCreateInput) error {
	r.points = append(r.points, appconfig.PreCreateHostedConfigurationVersion)
	in.Version.Content = append(in.Version.Content, ' ') // hooks may replace content
	return nil
}

func (r *recorder) PreStartDeployment(context.Context, *appconfig.PreStartInput) error {
	r.points = append(r.points, appconfig.PreStartDeployment)
	if r.blockStart {
		return appconfig.Errorf(appconfig.CodeBadRequest, "blocked by extension")
	}
	return nil
}

func (r *recorder) AtDeploymentTick(context.Context, *appconfig.Deployment) (appconfig.Directive, error) {
	r.points = append(r.points, appconfig.AtDeploymentTick)
	return r.tick, nil
}

func (r *recorder) AppliedExtensions(appconfig.Tx, string, string, string) ([]appconfig.AppliedExtension, error) {
	return []appconfig.AppliedExtension{{ExtensionID: "ext1", ExtensionAssociationID: "assoc01", VersionNumber: 1}}, nil
}

func (r *recorder) OnDeployment(_ appconfig.Tx, p appconfig.ActionPoint, _ *appconfig.Deployment, ev *appconfig.DeploymentEvent) error {
	r.points = append(r.points, p)
	ev.ActionInvocations = append(ev.ActionInvocations, appconfig.ActionInvocation{ActionName: string(p), InvocationID: "inv0001"})
	return nil
}

func TestHooksAtActionPoints(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "baton.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fc := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	rec := &recorder{}
	svc := appconfig.NewService(sqlite.NewAppConfigStore(db), appconfig.DefaultARNs(), fc, rec, nil)

	app := &appconfig.Application{Name: "a"}
	env := &appconfig.Environment{Name: "e"}
	prof := &appconfig.ConfigurationProfile{Name: "p", LocationURI: "hosted"}
	st := &appconfig.DeploymentStrategy{Name: "s", DeploymentDurationInMinutes: 2, GrowthFactor: 50, FinalBakeTimeInMinutes: 1}
	check(t, svc.CreateApplication(ctx, app, nil))
	env.ApplicationID, prof.ApplicationID = app.ID, app.ID
	check(t, svc.CreateEnvironment(ctx, env, nil))
	check(t, svc.CreateProfile(ctx, prof, nil))
	check(t, svc.CreateStrategy(ctx, st, nil))
	v, err := svc.CreateVersion(ctx, appconfig.NewVersion{Application: app.ID, Profile: prof.ID, Content: []byte("x"), ContentType: "text/plain"})
	check(t, err)
	if string(v.Content) != "x " {
		t.Fatalf("content %q: the PRE_CREATE hook's replacement was not stored", v.Content)
	}
	in := appconfig.StartInput{Application: app.ID, Environment: env.ID, StrategyID: st.ID, ProfileID: prof.ID, ConfigurationVersion: "1"}

	rec.blockStart = true
	if _, err := svc.StartDeployment(ctx, in); appconfig.ErrorCode(err) != appconfig.CodeBadRequest {
		t.Fatalf("blocked start: %v", err)
	}
	if ds, _, _ := svc.Deployments(ctx, app.ID, env.ID, appconfig.Page{Limit: 5}); len(ds) != 0 {
		t.Fatal("a blocked StartDeployment created a deployment")
	}
	rec.blockStart, rec.points = false, nil
	d, err := svc.StartDeployment(ctx, in)
	check(t, err)
	step := func(advance time.Duration) *appconfig.Deployment {
		t.Helper()
		fc.Advance(advance)
		cur, err := svc.Deployment(ctx, app.ID, env.ID, d.DeploymentNumber)
		check(t, err)
		check(t, svc.Step(ctx, appconfig.StepTimer{Env: env.ID, Number: cur.DeploymentNumber, Gen: cur.Engine.TimerGen}))
		cur, err = svc.Deployment(ctx, app.ID, env.ID, d.DeploymentNumber)
		check(t, err)
		return cur
	}
	step(time.Minute)
	step(time.Minute)
	final := step(time.Minute)
	if final.State != appconfig.StateComplete {
		t.Fatalf("state %s", final.State)
	}
	want := []appconfig.ActionPoint{appconfig.PreStartDeployment, appconfig.OnDeploymentStart,
		appconfig.AtDeploymentTick, appconfig.OnDeploymentStep,
		appconfig.AtDeploymentTick, appconfig.OnDeploymentStep, appconfig.OnDeploymentBaking,
		appconfig.AtDeploymentTick, appconfig.OnDeploymentComplete}
	if diff := cmp.Diff(rec.points, want); diff != "" {
		t.Fatalf("action points (-got +want):\n%s", diff)
	}
	if len(final.AppliedExtensions) != 1 || final.EventLog[0].ActionInvocations[0].ActionName != "ON_DEPLOYMENT_COMPLETE" {
		t.Fatalf("applied %v, invocations %v", final.AppliedExtensions, final.EventLog[0].ActionInvocations)
	}

	// A ROLL_BACK directive at a tick rolls the deployment back.
	rec.tick = appconfig.Directive{RollBack: true, Description: "monitor 123 is not OK"}
	d, err = svc.StartDeployment(ctx, in)
	check(t, err)
	rolled := step(time.Minute)
	if rolled.State != appconfig.StateRolledBack || rolled.EventLog[1].Description != "monitor 123 is not OK" ||
		rolled.EventLog[1].TriggeredBy != appconfig.ByAppConfig {
		t.Fatalf("after ROLL_BACK directive: %s %+v", rolled.State, rolled.EventLog[:2])
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		var e *appconfig.Error
		if errors.As(err, &e) {
			t.Fatalf("%s: %s", e.Code, e.Message)
		}
		t.Fatal(err)
	}
}
