package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/batonhq/baton/appconfig"
)

func acUpdate(t testing.TB, s *Stores, fn func(appconfig.Tx) error) {
	t.Helper()
	if err := s.AppConfig.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

type doc struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// AppConfigDocs: documents by kind and parent, paging, names, deletes.
func testAppConfigDocs(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	acUpdate(t, s, func(tx appconfig.Tx) error {
		for i := range 5 {
			id := fmt.Sprint("env", i)
			parent := "app1"
			if i == 4 {
				parent = "app2"
			}
			if err := tx.Put(appconfig.KindEnvironment, id, parent, "name"+id, doc{ID: id, Name: "name" + id}); err != nil {
				return err
			}
		}
		// Inside the transaction, reads see its writes.
		var d doc
		if err := tx.Get(ctx, appconfig.KindEnvironment, "env4", &d); err != nil || d.Name != "nameenv4" {
			t.Errorf("Get in tx: %v %+v", err, d)
		}
		return tx.Put(appconfig.KindApplication, "app1", "", "one", doc{ID: "app1", Name: "one"})
	})
	acUpdate(t, s, func(tx appconfig.Tx) error {
		return tx.Put(appconfig.KindEnvironment, "env0", "app1", "renamed", doc{ID: "env0", Name: "renamed"})
	})
	var d doc
	if err := s.AppConfig.Get(ctx, appconfig.KindEnvironment, "env0", &d); err != nil || d.Name != "renamed" {
		t.Errorf("Get: %v %+v", err, d)
	}
	if err := s.AppConfig.Get(ctx, appconfig.KindEnvironment, "none", &d); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("Get missing: %v", err)
	}
	page, next, err := s.AppConfig.List(ctx, appconfig.KindEnvironment, "app1", appconfig.Page{Limit: 3})
	if err != nil || len(page) != 3 || next == 0 {
		t.Fatalf("first page: %v %d next %d", err, len(page), next)
	}
	var first doc
	json.Unmarshal(page[0], &first)
	if first.ID != "env0" {
		t.Errorf("first of page: %+v (listing is in creation order; an update keeps the place)", first)
	}
	page, next, _ = s.AppConfig.List(ctx, appconfig.KindEnvironment, "app1", appconfig.Page{After: next, Limit: 3})
	if len(page) != 1 || next != 0 {
		t.Errorf("second page: %d next %d", len(page), next)
	}
	if n, err := s.AppConfig.Count(ctx, appconfig.KindEnvironment, ""); err != nil || n != 5 {
		t.Errorf("Count all: %d %v", n, err)
	}
	if id, err := s.AppConfig.FindByName(ctx, appconfig.KindEnvironment, "app2", "nameenv4"); err != nil || id != "env4" {
		t.Errorf("FindByName: %q %v", id, err)
	}
	if _, err := s.AppConfig.FindByName(ctx, appconfig.KindEnvironment, "app1", "nameenv4"); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("FindByName under another parent: %v", err)
	}
	acUpdate(t, s, func(tx appconfig.Tx) error { return tx.Delete(appconfig.KindEnvironment, "env4") })
	if n, _ := s.AppConfig.Count(ctx, appconfig.KindEnvironment, "app2"); n != 0 {
		t.Errorf("after delete: %d", n)
	}
}

func deployment(env string, n int, state string) *appconfig.Deployment {
	return &appconfig.Deployment{ApplicationID: "app", EnvironmentID: env, ConfigurationProfileID: "prof",
		DeploymentNumber: n, State: state, Engine: appconfig.EngineState{StepsDone: n, TimerGen: 7}}
}

// AppConfigDeployments: deployments with the engine's state, newest first,
// active ones, and timers on the outbox.
func testAppConfigDeployments(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	acUpdate(t, s, func(tx appconfig.Tx) error {
		for n, st := range []string{appconfig.StateComplete, appconfig.StateComplete, appconfig.StateBaking, appconfig.StateDeploying} {
			if err := tx.PutDeployment(deployment("env", n+1, st)); err != nil {
				return err
			}
		}
		return tx.ScheduleStep(appconfig.StepTimer{Env: "env", Number: 4, Gen: 7}, time.Now().Add(time.Hour))
	})
	acUpdate(t, s, func(tx appconfig.Tx) error {
		d, err := tx.Deployment(ctx, "env", 3)
		if err != nil {
			return err
		}
		d.State = appconfig.StateComplete
		return tx.PutDeployment(d)
	})
	d, err := s.AppConfig.Deployment(ctx, "env", 4)
	if err != nil || d.State != appconfig.StateDeploying || d.Engine.StepsDone != 4 || d.Engine.TimerGen != 7 {
		t.Errorf("Deployment: %v %+v", err, d)
	}
	if _, err := s.AppConfig.Deployment(ctx, "env", 9); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("missing deployment: %v", err)
	}
	list, next, err := s.AppConfig.Deployments(ctx, "env", appconfig.Page{Limit: 3})
	if err != nil || len(list) != 3 || list[0].DeploymentNumber != 4 || next != 2 {
		t.Fatalf("Deployments: %v %d next %d", err, len(list), next)
	}
	if list, next, _ := s.AppConfig.Deployments(ctx, "env", appconfig.Page{After: next, Limit: 3}); len(list) != 1 || list[0].DeploymentNumber != 1 || next != 0 {
		t.Errorf("second page: %d next %d", len(list), next)
	}
	if act, err := s.AppConfig.ActiveDeployments(ctx); err != nil || len(act) != 1 || act[0].DeploymentNumber != 4 {
		t.Errorf("ActiveDeployments: %v %+v", err, act)
	}
	items, err := s.Outbox.Claim(ctx, time.Now().Add(2*time.Hour), 10, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("step timer: %v %+v", err, items)
	}
	var st appconfig.StepTimer
	if json.Unmarshal(items[0].Payload, &st) != nil || st != (appconfig.StepTimer{Env: "env", Number: 4, Gen: 7}) {
		t.Errorf("timer payload %s", items[0].Payload)
	}
}

// AppConfigVersions: hosted versions by number and label, newest first.
func testAppConfigVersions(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	if n, err := s.AppConfig.LatestVersion(ctx, "prof"); n != 0 || err != nil {
		t.Errorf("LatestVersion of none: %d %v", n, err)
	}
	acUpdate(t, s, func(tx appconfig.Tx) error {
		for n, label := range []string{"v1", "", "v1"} {
			if err := tx.PutVersion(&appconfig.HostedVersion{ApplicationID: "app", ConfigurationProfileID: "prof", VersionNumber: n + 1,
				ContentType: "application/json", VersionLabel: label, Content: []byte(fmt.Sprint(`{"n":`, n+1, `}`))}); err != nil {
				return err
			}
		}
		err := tx.PutVersion(&appconfig.HostedVersion{ConfigurationProfileID: "prof", VersionNumber: 2, ContentType: "x", Content: []byte("x")})
		if appconfig.ErrorCode(err) != appconfig.CodeConflict {
			t.Errorf("second version 2: %v", err)
		}
		return nil
	})
	if n, _ := s.AppConfig.LatestVersion(ctx, "prof"); n != 3 {
		t.Errorf("LatestVersion = %d", n)
	}
	if v, err := s.AppConfig.Version(ctx, "prof", 2); err != nil || string(v.Content) != `{"n":2}` || v.ApplicationID != "app" {
		t.Errorf("Version 2: %v %+v", err, v)
	}
	if v, err := s.AppConfig.VersionByLabel(ctx, "prof", "v1"); err != nil || v.VersionNumber != 3 {
		t.Errorf("VersionByLabel: %v %+v", err, v)
	}
	if _, err := s.AppConfig.VersionByLabel(ctx, "prof", "v9"); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("missing label: %v", err)
	}
	list, next, err := s.AppConfig.Versions(ctx, "prof", "v1", appconfig.Page{Limit: 1})
	if err != nil || len(list) != 1 || list[0].VersionNumber != 3 || list[0].Content != nil || next != 3 {
		t.Errorf("Versions: %v %+v next %d", err, list, next)
	}
	if list, next, _ := s.AppConfig.Versions(ctx, "prof", "v1", appconfig.Page{After: next, Limit: 1}); len(list) != 1 || list[0].VersionNumber != 1 || next != 0 {
		t.Errorf("Versions page 2: %+v next %d", list, next)
	}
	if list, _, _ := s.AppConfig.Versions(ctx, "prof", "v*", appconfig.Page{Limit: 10}); len(list) != 2 || list[0].VersionNumber != 3 {
		t.Errorf("Versions by label prefix: %+v", list)
	}
	acUpdate(t, s, func(tx appconfig.Tx) error { return tx.DeleteVersion("prof", 3) })
	if _, err := s.AppConfig.Version(ctx, "prof", 3); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("deleted version: %v", err)
	}
}

// AppConfigTagsAlarms: tags merge and are removed; alarms are upserted.
func testAppConfigTagsAlarms(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	acUpdate(t, s, func(tx appconfig.Tx) error {
		if err := tx.SetTags("arn:x", map[string]string{"a": "1", "b": "2"}); err != nil {
			return err
		}
		if err := tx.SetTags("arn:x", map[string]string{"b": "3"}); err != nil {
			return err
		}
		if err := tx.RemoveTags("arn:x", []string{"a", "zz"}); err != nil {
			return err
		}
		for _, a := range []*appconfig.Alarm{
			{Name: "b", State: "OK", UpdatedAt: t0},
			{Name: "a", State: "OK", UpdatedAt: t0},
			{Name: "a", State: "ALARM", Reason: "high", UpdatedAt: t0.Add(time.Second)},
		} {
			if err := tx.PutAlarm(a); err != nil {
				return err
			}
		}
		return nil
	})
	if tags, err := s.AppConfig.Tags(ctx, "arn:x"); err != nil || fmt.Sprint(tags) != "map[b:3]" {
		t.Errorf("Tags: %v %v", tags, err)
	}
	if tags, _ := s.AppConfig.Tags(ctx, "arn:none"); tags == nil || len(tags) != 0 {
		t.Errorf("Tags of none: %#v", tags)
	}
	a, err := s.AppConfig.Alarm(ctx, "a")
	if err != nil || a.State != "ALARM" || a.Reason != "high" || !a.UpdatedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("Alarm: %v %+v", err, a)
	}
	if _, err := s.AppConfig.Alarm(ctx, "none"); appconfig.ErrorCode(err) != appconfig.CodeNotFound {
		t.Errorf("missing alarm: %v", err)
	}
	if all, _ := s.AppConfig.Alarms(ctx); len(all) != 2 || all[0].Name != "a" {
		t.Errorf("Alarms: %+v", all)
	}
}
