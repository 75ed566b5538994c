package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// LastEventTypes: a service's latest event of each type in each stage, from
// every scoped event stored (the newest by time, the later stored on a tie),
// none from other projects, stages or services, from events without a full
// scope, or from before the service was (re)created.
func testLastEventTypes(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	createProject(t, s, "p", "web", "api")
	createProject(t, s, "q", "web")
	const (
		tri = "sh.keptn.event.deployment.triggered"
		fin = "sh.keptn.event.deployment.finished"
		rel = "sh.keptn.event.release.triggered"
	)
	insertEvents(t, s,
		event("w1", tri, "k1", 1, "p", "dev", "web", ""),
		event("w2", fin, "k1", 2, "p", "dev", "web", "w1"),
		event("w3", tri, "k2", 5, "p", "dev", "web", ""),
		event("w4", tri, "k3", 4, "p", "dev", "web", ""), // older than w3, stored later
		event("w5", rel, "k2", 6, "p", "prod", "web", ""),
		event("a1", tri, "k4", 3, "p", "dev", "api", ""),
		event("a2", tri, "k5", 3, "p", "dev", "api", ""),  // same time as a1, stored later
		event("x1", tri, "k6", 9, "p", "dev", "", ""),     // no service
		event("x2", tri, "k6", 9, "p", "", "web", ""),     // no stage
		event("x3", tri, "k7", 9, "p", "dev", "gone", ""), // no such service
		event("q1", fin, "k8", 9, "q", "dev", "web", ""),
	)
	type last map[string]string // stage/service/type → event id
	lastOf := func() last {
		t.Helper()
		p, err := s.Keptn.Project(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		got := last{}
		for _, st := range p.Stages {
			for _, sv := range st.Services {
				for typ, ref := range sv.LastEventTypes {
					got[st.Name+"/"+sv.Name+"/"+typ] = ref.EventID
				}
			}
		}
		return got
	}
	want := last{"dev/web/" + tri: "w3", "dev/web/" + fin: "w2", "prod/web/" + rel: "w5", "dev/api/" + tri: "a2"}
	if diff := cmp.Diff(lastOf(), want); diff != "" {
		t.Errorf("last events (-got +want)\n%s", diff)
	}
	p, err := s.Keptn.Project(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if ref := p.Stages[0].Services[1].LastEventTypes[tri]; ref.KeptnContext != "k2" || !ref.Time.Equal(t0.Add(5*time.Second)) {
		t.Errorf("dev/web %s: %+v", tri, ref)
	}

	// A deleted and recreated service starts without last events.
	update(t, s, func(tx keptn.Tx) error {
		if err := tx.DeleteService("p", "web"); err != nil {
			return err
		}
		return tx.CreateService("p", "web", t0.Add(7*time.Second))
	})
	insertEvents(t, s, event("w6", fin, "k9", 8, "p", "prod", "web", ""))
	want = last{"prod/web/" + fin: "w6", "dev/api/" + tri: "a2"}
	if diff := cmp.Diff(lastOf(), want); diff != "" {
		t.Errorf("after recreating web (-got +want)\n%s", diff)
	}
}
