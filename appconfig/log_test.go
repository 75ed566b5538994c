package appconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sqlite"
)

// At info, a deployment logs one line per state it reaches, not per step.
func TestDeploymentStateChangesLogged(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "baton.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var buf bytes.Buffer
	fc := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := appconfig.NewService(sqlite.NewAppConfigStore(db), appconfig.DefaultARNs(), fc, &recorder{}, slog.New(slog.NewJSONHandler(&buf, nil)))

	app := &appconfig.Application{Name: "a"}
	env := &appconfig.Environment{Name: "e"}
	prof := &appconfig.ConfigurationProfile{Name: "p", LocationURI: "hosted"}
	st := &appconfig.DeploymentStrategy{Name: "s", DeploymentDurationInMinutes: 2, GrowthFactor: 50, FinalBakeTimeInMinutes: 1}
	check(t, svc.CreateApplication(ctx, app, nil))
	env.ApplicationID, prof.ApplicationID = app.ID, app.ID
	check(t, svc.CreateEnvironment(ctx, env, nil))
	check(t, svc.CreateProfile(ctx, prof, nil))
	check(t, svc.CreateStrategy(ctx, st, nil))
	_, err = svc.CreateVersion(ctx, appconfig.NewVersion{Application: app.ID, Profile: prof.ID, Content: []byte("x"), ContentType: "text/plain"})
	check(t, err)
	in := appconfig.StartInput{Application: app.ID, Environment: env.ID, StrategyID: st.ID, ProfileID: prof.ID, ConfigurationVersion: "1"}
	d, err := svc.StartDeployment(ctx, in)
	check(t, err)
	for range 3 {
		fc.Advance(time.Minute)
		cur, err := svc.Deployment(ctx, app.ID, env.ID, d.DeploymentNumber)
		check(t, err)
		check(t, svc.Step(ctx, appconfig.StepTimer{Env: env.ID, Number: cur.DeploymentNumber, Gen: cur.Engine.TimerGen}))
	}
	d2, err := svc.StartDeployment(ctx, in)
	check(t, err)
	_, err = svc.StopDeployment(ctx, app.ID, env.ID, d2.DeploymentNumber, false)
	check(t, err)

	type line struct {
		Level, Msg, State, Description string
		Deployment                     int
	}
	var got []line
	for _, raw := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var l line
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		got = append(got, l)
	}
	const msg = "deployment state changed"
	want := []line{
		{"INFO", msg, "DEPLOYING", "", 1}, {"INFO", msg, "BAKING", "", 1}, {"INFO", msg, "COMPLETE", "", 1},
		{"INFO", msg, "DEPLOYING", "", 2}, {"INFO", msg, "ROLLED_BACK", "Rollback initiated by user", 2},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("log (-got +want):\n%s", diff)
	}
}
