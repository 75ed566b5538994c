package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// event builds an event of type typ in context kc at t0+sec.
func event(id, typ, kc string, sec int, project, stage, service, triggeredID string) *keptn.Event {
	data, _ := json.Marshal(map[string]string{"project": project, "stage": stage, "service": service})
	return &keptn.Event{SpecVersion: "1.0", ID: id, Source: "test", Type: typ, Shkeptncontext: kc,
		Time: keptn.FormatTime(t0.Add(time.Duration(sec) * time.Second)), Data: data, TriggeredID: triggeredID}
}

func insertEvents(t testing.TB, s *Stores, evs ...*keptn.Event) {
	t.Helper()
	update(t, s, func(tx keptn.Tx) error {
		for _, ev := range evs {
			body, _ := json.Marshal(ev)
			if err := tx.InsertEvent(ev, body); err != nil {
				return err
			}
		}
		return nil
	})
}

func ids(bodies []json.RawMessage) []string {
	out := []string{}
	for _, b := range bodies {
		var ev keptn.Event
		json.Unmarshal(b, &ev)
		out = append(out, ev.ID)
	}
	return out
}

// Events: filters, newest first, paging, the root event of each context and
// a duplicate id refused without spoiling the transaction.
func testEvents(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	insertEvents(t, s,
		event("e1", "sh.keptn.event.dev.delivery.triggered", "k1", 1, "p", "dev", "web", ""),
		event("e2", "sh.keptn.event.deployment.triggered", "k1", 2, "p", "dev", "web", ""),
		event("e3", "sh.keptn.event.deployment.finished", "k1", 3, "p", "dev", "web", "e2"),
		event("e4", "sh.keptn.event.dev.delivery.triggered", "k2", 4, "q", "dev", "api", ""),
	)
	err := s.Keptn.Update(ctx, func(tx keptn.Tx) error {
		dup := event("e1", "x", "k9", 9, "", "", "", "")
		if err := tx.InsertEvent(dup, []byte(`{}`)); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("duplicate id: %v, want conflict", err)
		}
		ev := event("e5", "sh.keptn.event.get-sli.triggered", "k2", 5, "q", "dev", "api", "")
		body, _ := json.Marshal(ev)
		return tx.InsertEvent(ev, body)
	})
	if err != nil {
		t.Fatalf("transaction after a duplicate: %v", err)
	}
	for _, c := range []struct {
		name  string
		f     keptn.EventFilter
		want  []string
		total int
	}{
		{"all", keptn.EventFilter{Limit: 10}, []string{"e5", "e4", "e3", "e2", "e1"}, 5},
		{"page", keptn.EventFilter{Limit: 2, Offset: 1}, []string{"e4", "e3"}, 5},
		{"context", keptn.EventFilter{KeptnContext: []string{"k1"}, Limit: 10}, []string{"e3", "e2", "e1"}, 3},
		{"contexts", keptn.EventFilter{KeptnContext: []string{"k1", "k2"}, Limit: 1}, []string{"e5"}, 5},
		{"type", keptn.EventFilter{Type: "sh.keptn.event.dev.delivery.triggered", Limit: 10}, []string{"e4", "e1"}, 2},
		{"scope", keptn.EventFilter{Project: "p", Stage: "dev", Service: "web", Limit: 10}, []string{"e3", "e2", "e1"}, 3},
		{"source and id", keptn.EventFilter{Source: "test", EventID: "e2", Limit: 10}, []string{"e2"}, 1},
		{"time window", keptn.EventFilter{FromTime: t0.Add(2 * time.Second), BeforeTime: t0.Add(5 * time.Second), Limit: 10}, []string{"e4", "e3"}, 2},
		{"roots", keptn.EventFilter{Root: true, Limit: 10}, []string{"e4", "e1"}, 2},
	} {
		got, total, err := s.Keptn.Events(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(ids(got), c.want); diff != "" || total != c.total {
			t.Errorf("%s: total %d (want %d), ids (-got +want):\n%s", c.name, total, c.total, diff)
		}
	}
	// The stored body is returned as it was given.
	got, _, _ := s.Keptn.Events(ctx, keptn.EventFilter{EventID: "e3", Limit: 1})
	var ev keptn.Event
	if len(got) != 1 || json.Unmarshal(got[0], &ev) != nil || ev.TriggeredID != "e2" {
		t.Errorf("body of e3: %s", got)
	}
}

// EventsByType: list filters, and events whose task was invalidated left out.
func testEventsByType(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	const fin = "sh.keptn.event.evaluation.finished"
	insertEvents(t, s,
		event("f1", fin, "k1", 1, "p", "dev", "web", "t1"),
		event("f2", fin, "k2", 2, "p", "prod", "web", "t2"),
		event("f3", fin, "k3", 3, "q", "dev", "api", "t3"),
		event("i2", "sh.keptn.event.evaluation.invalidated", "k2", 4, "p", "prod", "web", "t2"),
	)
	for _, c := range []struct {
		name string
		f    keptn.TypeFilter
		want []string
	}{
		{"all", keptn.TypeFilter{Type: fin}, []string{"f3", "f2", "f1"}},
		{"limit", keptn.TypeFilter{Type: fin, Limit: 1}, []string{"f3"}},
		{"projects", keptn.TypeFilter{Type: fin, Project: []string{"p"}}, []string{"f2", "f1"}},
		{"stages and services", keptn.TypeFilter{Type: fin, Stage: []string{"dev"}, Service: []string{"web", "api"}}, []string{"f3", "f1"}},
		{"contexts", keptn.TypeFilter{Type: fin, KeptnContext: []string{"k1", "k3"}}, []string{"f3", "f1"}},
		{"triggered ids", keptn.TypeFilter{Type: fin, TriggeredID: []string{"t2"}}, []string{"f2"}},
		{"sources", keptn.TypeFilter{Type: fin, Source: []string{"other"}}, []string{}},
		{"from", keptn.TypeFilter{Type: fin, FromTime: t0.Add(time.Second)}, []string{"f3", "f2"}},
		{"invalidated", keptn.TypeFilter{Type: fin, ExcludeInvalidated: true}, []string{"f3", "f1"}},
	} {
		got, err := s.Keptn.EventsByType(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(ids(got), c.want); diff != "" {
			t.Errorf("%s (-got +want):\n%s", c.name, diff)
		}
	}
}

const shipyard = `apiVersion: spec.keptn.sh/0.2.3
kind: Shipyard
metadata:
  name: shipyard
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
    - name: prod
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: deployment
`

func createProject(t testing.TB, s *Stores, name string, services ...string) {
	t.Helper()
	update(t, s, func(tx keptn.Tx) error {
		err := tx.CreateProject(&keptn.NewProject{Name: name, Shipyard: shipyard, ShipyardVersion: "spec.keptn.sh/0.2.3",
			Stages: []keptn.ProjectStage{{Name: "dev"}, {Name: "prod", Parents: []string{"dev"}}}, Created: t0,
			GitPublic: []byte(`{"remoteURL":"https://git.example/x"}`), GitRemoteURL: "https://git.example/x"})
		if err != nil {
			return err
		}
		for _, svc := range services {
			if err := tx.CreateService(name, svc, t0); err != nil {
				return err
			}
		}
		return nil
	})
}

// Projects: create, conflict, stages and services, last events and the
// deployed image, update, delete.
func testProjects(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p", "web", "api")
	createProject(t, s, "a")
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.CreateProject(&keptn.NewProject{Name: "p", Shipyard: shipyard, Created: t0}); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("second project p: %v, want conflict", err)
		}
		if err := tx.CreateService("p", "web", t0); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("second service web: %v, want conflict", err)
		}
		if err := tx.CreateService("none", "web", t0); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("service of a missing project: %v, want not found", err)
		}
		for _, c := range []struct {
			got  func() (bool, error)
			want bool
		}{
			{func() (bool, error) { return tx.ServiceExists("p", "web") }, true},
			{func() (bool, error) { return tx.ServiceExists("p", "db") }, false},
			{func() (bool, error) { return tx.StageExists("p", "prod") }, true},
			{func() (bool, error) { return tx.StageExists("p", "qa") }, false},
		} {
			if got, err := c.got(); got != c.want || err != nil {
				t.Errorf("exists = %v, %v; want %v", got, err, c.want)
			}
		}
		sy, err := tx.Shipyard("p")
		if err != nil || len(sy.Spec.Stages) != 2 {
			t.Errorf("shipyard in tx: %v, %+v", err, sy)
		}
		return nil
	})
	deployed := event("d1", "sh.keptn.event.deployment.finished", "k1", 7, "p", "dev", "web", "t1")
	deployed.Data = json.RawMessage(`{"project":"p","stage":"dev","service":"web","result":"pass","configurationChange":{"values":{"image":"web:1.2"}}}`)
	insertEvents(t, s, deployed)

	p, err := s.Keptn.Project(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if p.LastEvent.EventID != "d1" || p.ShipyardVersion != "spec.keptn.sh/0.2.3" || !p.Created.Equal(t0) {
		t.Errorf("project: %+v", p)
	}
	if len(p.Stages) != 2 || p.Stages[0].Name != "dev" || fmt.Sprint(p.Stages[1].Parents) != "[dev]" {
		t.Fatalf("stages: %+v", p.Stages)
	}
	dev := p.Stages[0]
	if len(dev.Services) != 2 || dev.Services[0].Name != "api" || dev.Services[1].Name != "web" {
		t.Fatalf("services of dev: %+v", dev.Services)
	}
	web := dev.Services[1]
	if web.DeployedImage != "web:1.2" || web.LastEventTypes["sh.keptn.event.deployment.finished"].EventID != "d1" || dev.LastEvent.EventID != "d1" {
		t.Errorf("web in dev: %+v, stage last event %+v", web, dev.LastEvent)
	}
	if sy, err := s.Keptn.ProjectShipyard(ctx, "p"); err != nil || sy.Spec.Stages[1].Name != "prod" {
		t.Errorf("ProjectShipyard: %v", err)
	}
	if _, err := s.Keptn.Project(ctx, "none"); keptn.ErrorCode(err) != keptn.CodeNotFound {
		t.Errorf("missing project: %v", err)
	}
	ps, total, err := s.Keptn.Projects(ctx, 0, 1)
	if err != nil || total != 2 || len(ps) != 1 || ps[0].Name != "a" {
		t.Errorf("Projects page: %d %v %v", total, err, ps)
	}
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.UpdateProject(&keptn.NewProject{Name: "p", Shipyard: shipyard, ShipyardVersion: "v2",
			Stages: []keptn.ProjectStage{{Name: "dev"}}}); err != nil {
			return err
		}
		if err := tx.UpdateProject(&keptn.NewProject{Name: "none", Shipyard: shipyard}); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("update missing: %v", err)
		}
		return nil
	})
	if p, _ := s.Keptn.Project(ctx, "p"); p.ShipyardVersion != "v2" || len(p.Stages) != 1 {
		t.Errorf("after update: %+v", p)
	}
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.DeleteService("p", "api"); err != nil {
			return err
		}
		if err := tx.DeleteService("p", "api"); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("second delete of a service: %v", err)
		}
		return tx.DeleteProject("a")
	})
	if known, _ := s.Keptn.ProjectKnown(ctx, "a"); known {
		t.Error("deleted project still known")
	}
	if p, _ := s.Keptn.Project(ctx, "p"); len(p.Stages[0].Services) != 1 {
		t.Errorf("services after delete: %+v", p.Stages[0].Services)
	}
}

// Resources: levels, revisions, history reads and deletes.
func testResources(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p", "web")
	proj := keptn.ResourceKey{Project: "p"}
	svc := keptn.ResourceKey{Project: "p", Stage: "dev", Service: "web"}
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.PutResources(proj, []keptn.Resource{{URI: "a.yaml", Content: []byte("p1")}, {URI: "b.yaml", Content: []byte("b")}}, "r1", t0); err != nil {
			return err
		}
		return tx.PutResources(svc, []keptn.Resource{{URI: "a.yaml", Content: []byte("s1")}}, "r2", t0)
	})
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.PutResources(proj, []keptn.Resource{{URI: "a.yaml", Content: []byte("p2")}}, "r3", t0.Add(time.Second)); err != nil {
			return err
		}
		if err := tx.DeleteResource(keptn.ResourceKey{Project: "p", URI: "b.yaml"}, "r4", t0); err != nil {
			return err
		}
		if err := tx.DeleteResource(keptn.ResourceKey{Project: "p", URI: "b.yaml"}, "r5", t0); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("second delete: %v", err)
		}
		lv, err := tx.LevelResources("p", "dev", "web", "a.yaml")
		if err != nil {
			return err
		}
		var got []string
		for _, r := range lv {
			got = append(got, r.Stage+"/"+r.Service+"="+string(r.Content))
		}
		if diff := cmp.Diff(got, []string{"dev/web=s1", "/=p2"}); diff != "" {
			t.Errorf("level resources (-got +want):\n%s", diff)
		}
		return nil
	})
	// Hooks of one event look up several files of the same levels in one
	// transaction; a resource written in it is seen by the lookups after.
	levels := func(tx keptn.Tx, uri string) []string {
		t.Helper()
		lv, err := tx.LevelResources("p", "dev", "web", uri)
		if err != nil {
			t.Fatalf("level resources %s: %v", uri, err)
		}
		var got []string
		for _, r := range lv {
			if r.URI != uri {
				t.Errorf("%s: got a resource of %s", uri, r.URI)
			}
			got = append(got, r.Stage+"/"+r.Service+"="+string(r.Content))
		}
		return got
	}
	update(t, s, func(tx keptn.Tx) error {
		if got := levels(tx, "c.yaml"); len(got) != 0 {
			t.Errorf("c.yaml before it exists: %v", got)
		}
		if diff := cmp.Diff(levels(tx, "a.yaml"), []string{"dev/web=s1", "/=p2"}); diff != "" {
			t.Errorf("a.yaml (-got +want):\n%s", diff)
		}
		stage := keptn.ResourceKey{Project: "p", Stage: "dev"}
		if err := tx.PutResources(stage, []keptn.Resource{{URI: "c.yaml", Content: []byte("c")}, {URI: "a.yaml", Content: []byte("st")}}, "r6", t0); err != nil {
			return err
		}
		if diff := cmp.Diff(levels(tx, "c.yaml"), []string{"dev/=c"}); diff != "" {
			t.Errorf("c.yaml after put (-got +want):\n%s", diff)
		}
		if diff := cmp.Diff(levels(tx, "a.yaml"), []string{"dev/web=s1", "dev/=st", "/=p2"}); diff != "" {
			t.Errorf("a.yaml after put (-got +want):\n%s", diff)
		}
		if err := tx.DeleteResource(keptn.ResourceKey{Project: "p", Stage: "dev", URI: "a.yaml"}, "r7", t0); err != nil {
			return err
		}
		if diff := cmp.Diff(levels(tx, "a.yaml"), []string{"dev/web=s1", "/=p2"}); diff != "" {
			t.Errorf("a.yaml after delete (-got +want):\n%s", diff)
		}
		return tx.DeleteResource(keptn.ResourceKey{Project: "p", Stage: "dev", URI: "c.yaml"}, "r8", t0)
	})
	// An event's hooks look up their files after the event is stored (a
	// store may read them along with the insert): they see what is
	// committed, and what their own transaction writes after the insert,
	// never what a rolled-back one wrote.
	withEvent := func(id string, fn func(tx keptn.Tx) error) error {
		return s.Keptn.Update(ctx, func(tx keptn.Tx) error {
			ev := event(id, "sh.keptn.event.dev.x.triggered", "kc-"+id, 100, "p", "dev", "web", "")
			body, _ := json.Marshal(ev)
			if err := tx.InsertEvent(ev, body); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	check := func(tx keptn.Tx, when, svcContent string) {
		t.Helper()
		if diff := cmp.Diff(levels(tx, "a.yaml"), []string{"dev/web=" + svcContent, "/=p2"}); diff != "" {
			t.Errorf("a.yaml %s (-got +want):\n%s", when, diff)
		}
	}
	if err := withEvent("lv0", func(tx keptn.Tx) error {
		check(tx, "with the event", "s1")
		if err := tx.PutResources(svc, []keptn.Resource{{URI: "a.yaml", Content: []byte("s2")}}, "rl0", t0); err != nil {
			return err
		}
		check(tx, "after a put in the event's transaction", "s2")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	errRollBack := errors.New("roll back")
	if err := withEvent("lv1", func(tx keptn.Tx) error {
		check(tx, "after a committed put", "s2")
		if err := tx.PutResources(svc, []keptn.Resource{{URI: "a.yaml", Content: []byte("s3")}}, "rl1", t0); err != nil {
			return err
		}
		return errRollBack
	}); !errors.Is(err, errRollBack) {
		t.Fatalf("rolled-back event: %v", err)
	}
	if err := withEvent("lv2", func(tx keptn.Tx) error {
		check(tx, "after a rolled-back put", "s2")
		return tx.PutResources(svc, []keptn.Resource{{URI: "a.yaml", Content: []byte("s1")}}, "rl2", t0)
	}); err != nil {
		t.Fatal(err)
	}
	list, total, err := s.Keptn.Resources(ctx, proj, 0, 10)
	if err != nil || total != 1 || len(list) != 1 || string(list[0].Content) != "p2" || list[0].Revision != "r3" {
		t.Errorf("Resources: %v %d %+v", err, total, list)
	}
	for _, c := range []struct {
		rev, want string
		code      string
	}{{"", "p2", ""}, {"r1", "p1", ""}, {"r2", "p1", ""}, {"r3", "p2", ""}, {"r9", "", keptn.CodeNotFound}} {
		r, err := s.Keptn.Resource(ctx, keptn.ResourceKey{Project: "p", URI: "a.yaml"}, c.rev)
		if c.code != "" {
			if keptn.ErrorCode(err) != c.code {
				t.Errorf("revision %q: %v, want %s", c.rev, err, c.code)
			}
			continue
		}
		if err != nil || string(r.Content) != c.want {
			t.Errorf("revision %q: %v %+v, want %s", c.rev, err, r, c.want)
		}
	}
	if _, err := s.Keptn.Resource(ctx, keptn.ResourceKey{Project: "p", URI: "b.yaml"}, "r1"); err != nil {
		t.Errorf("b.yaml at r1 (before its delete): %v", err)
	}
	if _, err := s.Keptn.Resource(ctx, keptn.ResourceKey{Project: "p", URI: "b.yaml"}, "r4"); keptn.ErrorCode(err) != keptn.CodeNotFound {
		t.Errorf("b.yaml at its delete: %v", err)
	}
	if _, _, err := s.Keptn.Resources(ctx, keptn.ResourceKey{Project: "p", Stage: "qa"}, 0, 10); keptn.ErrorCode(err) != keptn.CodeNotFound {
		t.Errorf("missing stage: %v", err)
	}
}

// Secrets: sealed values kept, metadata listed, conflicts and misses.
func testSecrets(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.CreateSecret(keptn.SecretMeta{Name: "db", Scope: "keptn-default", Keys: []string{"user", "pw"}}, []byte{1, 2, 3}, t0); err != nil {
			return err
		}
		if err := tx.CreateSecret(keptn.SecretMeta{Name: "db", Scope: "keptn-default"}, []byte{0}, t0); keptn.ErrorCode(err) != keptn.CodeConflict {
			t.Errorf("second create: %v", err)
		}
		if err := tx.CreateSecret(keptn.SecretMeta{Name: "api", Scope: "other", Keys: []string{"k"}}, []byte{9}, t0); err != nil {
			return err
		}
		if err := tx.UpdateSecret(keptn.SecretMeta{Name: "db", Scope: "keptn-default", Keys: []string{"pw"}}, []byte{4}, t0); err != nil {
			return err
		}
		if err := tx.UpdateSecret(keptn.SecretMeta{Name: "x", Scope: "keptn-default"}, []byte{0}, t0); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("update missing: %v", err)
		}
		return nil
	})
	if b, err := s.Keptn.SecretSealed(ctx, "keptn-default", "db"); err != nil || fmt.Sprint(b) != "[4]" {
		t.Errorf("sealed: %v %v", b, err)
	}
	all, err := s.Keptn.Secrets(ctx, "", "")
	if err != nil || len(all) != 2 || all[0].Name != "db" || fmt.Sprint(all[0].Keys) != "[pw]" {
		t.Errorf("Secrets: %v %+v", err, all)
	}
	if some, _ := s.Keptn.Secrets(ctx, "", "other"); len(some) != 1 || some[0].Name != "api" {
		t.Errorf("Secrets of scope other: %+v", some)
	}
	update(t, s, func(tx keptn.Tx) error { return tx.DeleteSecret("other", "api") })
	if _, err := s.Keptn.SecretSealed(ctx, "other", "api"); keptn.ErrorCode(err) != keptn.CodeNotFound {
		t.Errorf("deleted secret: %v", err)
	}
}

// Uniform: integrations with their subscriptions, filtered listings.
func testUniform(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	update(t, s, func(tx keptn.Tx) error {
		for _, in := range []*keptn.Integration{
			{ID: "i1", Name: "webhook-service", Subscriptions: []keptn.Subscription{
				{ID: "s1", Event: "sh.keptn.event.deployment.triggered", Filter: keptn.SubscriptionFilter{Projects: []string{"p"}}}}},
			{ID: "i2", Name: "approval", Subscriptions: []keptn.Subscription{
				{ID: "s2", Event: "sh.keptn.event.approval.triggered", Filter: keptn.SubscriptionFilter{Projects: []string{"q"}}}}},
		} {
			if err := tx.PutIntegration(in); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx keptn.Tx) error {
		sub, id, err := tx.Subscription("s2")
		if err != nil || id != "i2" || sub.Event != "sh.keptn.event.approval.triggered" {
			t.Errorf("Subscription: %v %s %+v", err, id, sub)
		}
		in, err := tx.Integration("i1")
		if err != nil || in.Name != "webhook-service" {
			t.Fatalf("Integration: %v %+v", err, in)
		}
		in.Subscriptions = nil
		if err := tx.PutIntegration(in); err != nil {
			return err
		}
		if _, _, err := tx.Subscription("s1"); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("replaced subscription: %v", err)
		}
		return nil
	})
	all, err := s.Keptn.Integrations(ctx, keptn.IntegrationFilter{})
	if err != nil || len(all) != 2 || all[0].ID != "i2" {
		t.Errorf("all integrations: %v %+v", err, all)
	}
	if got, _ := s.Keptn.Integrations(ctx, keptn.IntegrationFilter{Project: "q"}); len(got) != 1 || got[0].ID != "i2" {
		t.Errorf("integrations of project q: %+v", got)
	}
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.DeleteIntegration("i2"); err != nil {
			return err
		}
		if err := tx.DeleteIntegration("i2"); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("second delete: %v", err)
		}
		return nil
	})
}

// Monitoring: a project's SLI provider is set, read in and outside a
// transaction, cleared, and goes with its project.
func testMonitoring(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p")
	if p, err := s.Keptn.ProjectSLIProvider(ctx, "p"); p != "" || err != nil {
		t.Errorf("no provider yet: %q %v", p, err)
	}
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.SetSLIProvider("p", "prometheus"); err != nil {
			return err
		}
		if err := tx.SetSLIProvider("none", "prometheus"); keptn.ErrorCode(err) != keptn.CodeNotFound {
			t.Errorf("provider of a missing project: %v", err)
		}
		if p, err := tx.SLIProvider("p"); p != "prometheus" || err != nil {
			t.Errorf("in tx: %q %v", p, err)
		}
		return tx.SetSLIProvider("p", "dynatrace")
	})
	if p, _ := s.Keptn.ProjectSLIProvider(ctx, "p"); p != "dynatrace" {
		t.Errorf("provider = %q", p)
	}
	update(t, s, func(tx keptn.Tx) error { return tx.SetSLIProvider("p", "") })
	if p, _ := s.Keptn.ProjectSLIProvider(ctx, "p"); p != "" {
		t.Errorf("cleared provider = %q", p)
	}
	if _, err := s.Keptn.ProjectSLIProvider(ctx, "none"); keptn.ErrorCode(err) != keptn.CodeNotFound {
		t.Errorf("missing project: %v", err)
	}
}

// ClientEvents: the (source, id) of a client's event is claimed with its
// keptnContext, so a retried POST is recognised and answered with the first
// one's keptnContext; a failed transaction claims nothing.
func testClientEvents(t *testing.T, e Engine) {
	s := e.Open(t)
	update(t, s, func(tx keptn.Tx) error {
		if kc, posted, err := tx.ClaimClientEvent("cli", "e1", "k1"); posted || kc != "" || err != nil {
			t.Errorf("new event: %q posted=%v err=%v", kc, posted, err)
		}
		return nil
	})
	update(t, s, func(tx keptn.Tx) error {
		if kc, posted, err := tx.ClaimClientEvent("cli", "e1", "k2"); kc != "k1" || !posted || err != nil {
			t.Errorf("retried event = %q %v %v, want k1", kc, posted, err)
		}
		if _, posted, err := tx.ClaimClientEvent("other", "e1", "k3"); posted || err != nil {
			t.Errorf("the same id from another source is another event: posted=%v err=%v", posted, err)
		}
		return nil
	})
	err := s.Keptn.Update(context.Background(), func(tx keptn.Tx) error {
		if _, posted, err := tx.ClaimClientEvent("cli", "e2", "k4"); posted || err != nil {
			t.Errorf("new event: posted=%v err=%v", posted, err)
		}
		return errors.New("fail on purpose")
	})
	if err == nil {
		t.Fatal("a failing update succeeded")
	}
	update(t, s, func(tx keptn.Tx) error {
		if kc, posted, err := tx.ClaimClientEvent("cli", "e2", "k5"); posted || err != nil {
			t.Errorf("an event claimed by a failed transaction: %q posted=%v err=%v", kc, posted, err)
		}
		if kc, posted, err := tx.ClaimClientEvent("other", "e1", "k6"); kc != "k3" || !posted || err != nil {
			t.Errorf("other source's event = %q %v %v, want k3", kc, posted, err)
		}
		return nil
	})
}

// Logs: integration error logs, newest first, filtered by integration and a
// closed time range, paged, and deleted by filter.
func testLogs(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	update(t, s, func(tx keptn.Tx) error {
		var es []keptn.LogEntry
		for i := range 4 {
			es = append(es, keptn.LogEntry{IntegrationID: fmt.Sprint("i", i%2), Message: fmt.Sprint("m", i), Time: t0.Add(time.Duration(i) * time.Second)})
		}
		return tx.InsertLogEntries(es)
	})
	got, total, err := s.Keptn.LogEntries(ctx, keptn.LogFilter{})
	if err != nil || total != 4 || len(got) != 4 || got[0].Message != "m3" {
		t.Fatalf("all: %v %d %+v", err, total, got)
	}
	got, total, _ = s.Keptn.LogEntries(ctx, keptn.LogFilter{IntegrationID: "i0", FromTime: t0, BeforeTime: t0.Add(2 * time.Second), Limit: 1, Offset: 1})
	if total != 2 || len(got) != 1 || got[0].Message != "m0" {
		t.Errorf("filtered page: %d %+v", total, got)
	}
	update(t, s, func(tx keptn.Tx) error { return tx.DeleteLogEntries(keptn.LogFilter{BeforeTime: t0.Add(time.Second)}) })
	if _, total, _ := s.Keptn.LogEntries(ctx, keptn.LogFilter{}); total != 2 {
		t.Errorf("after deleting the first two: %d", total)
	}
}
