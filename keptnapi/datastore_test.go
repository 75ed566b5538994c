package keptnapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

type dsPage struct {
	Events []struct {
		ID             string         `json:"id"`
		Type           string         `json:"type"`
		Source         string         `json:"source"`
		Time           string         `json:"time"`
		Shkeptncontext string         `json:"shkeptncontext"`
		TriggeredID    string         `json:"triggeredid"`
		Data           map[string]any `json:"data"`
	} `json:"events"`
	NextPageKey string `json:"nextPageKey"`
	PageSize    int    `json:"pageSize"`
	TotalCount  int    `json:"totalCount"`
}

func TestDatastoreFilters(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC))
	in := batontest.Start(t, server.Config{Clock: fake})
	post := func(typ, kc, triggeredID, project, stage, service, source string) string {
		t.Helper()
		ev := map[string]any{"type": typ, "source": source, "shkeptncontext": kc, "triggeredid": triggeredID,
			"data": map[string]any{"project": project, "stage": stage, "service": service}}
		st, body := in.Do("POST", "/api/v1/event", ev)
		if st != 200 {
			t.Fatalf("post: %d %s", st, body)
		}
		fake.Advance(time.Second)
		var r struct{ KeptnContext string }
		json.Unmarshal(body, &r)
		return r.KeptnContext
	}
	ctxA := "11111111-1111-4111-8111-111111111111"
	ctxB := "22222222-2222-4222-8222-222222222222"
	post("sh.keptn.event.dev.delivery.triggered", ctxA, "", "demo", "dev", "web", "cli")    // 10:00:00
	post("sh.keptn.event.deployment.triggered", ctxA, "", "demo", "dev", "web", "shipyard") // 10:00:01
	post("sh.keptn.event.deployment.finished", ctxA, "t1", "demo", "dev", "web", "helm")    // 10:00:02
	post("sh.keptn.event.dev.delivery.triggered", ctxB, "", "demo", "dev", "api", "cli")    // 10:00:03
	post("sh.keptn.event.deployment.finished", ctxB, "t2", "other", "prod", "api", "helm")  // 10:00:04
	post("sh.keptn.event.deployment.invalidated", ctxA, "t1", "demo", "dev", "web", "helm") // 10:00:05

	get := func(q string) dsPage {
		t.Helper()
		st, body := in.Do("GET", "/api/mongodb-datastore/event?"+q, nil)
		if st != 200 {
			t.Fatalf("GET ?%s: %d %s", q, st, body)
		}
		var p dsPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		q    string
		want int
	}{
		{"", 6},
		{"keptnContext=" + ctxA, 4},
		{"keptnContext=" + ctxA + "," + ctxB, 6},
		{"type=sh.keptn.event.deployment.finished", 2},
		{"project=demo", 5},
		{"project=demo&stage=dev&service=api", 1},
		{"source=helm", 3},
		{"root=true", 2},
		{"fromTime=" + url.QueryEscape("2026-01-02T10:00:02.000Z"), 3},
		{"beforeTime=" + url.QueryEscape("2026-01-02T10:00:02.000Z"), 2},
		{"project=nope", 0},
	}
	for _, c := range cases {
		if got := get(c.q); got.TotalCount != c.want || len(got.Events) != c.want {
			t.Errorf("?%s: total %d, %d events; want %d", c.q, got.TotalCount, len(got.Events), c.want)
		}
	}
	// Newest first.
	all := get("")
	for i := 1; i < len(all.Events); i++ {
		if all.Events[i-1].Time < all.Events[i].Time {
			t.Fatalf("not sorted newest first: %s before %s", all.Events[i-1].Time, all.Events[i].Time)
		}
	}
	byID := get("eventID=" + all.Events[2].ID)
	if byID.TotalCount != 1 || byID.Events[0].ID != all.Events[2].ID {
		t.Errorf("eventID filter: %+v", byID)
	}
	// Root events are the first of each context.
	for _, e := range get("root=true").Events {
		if e.Type != "sh.keptn.event.dev.delivery.triggered" {
			t.Errorf("root event %s", e.Type)
		}
	}
	// Pagination walks every event exactly once.
	seen := map[string]bool{}
	key := ""
	for range 10 {
		p := get("pageSize=4&nextPageKey=" + key)
		for _, e := range p.Events {
			if seen[e.ID] {
				t.Fatalf("event %s on two pages", e.ID)
			}
			seen[e.ID] = true
		}
		if p.NextPageKey == "" {
			break
		}
		key = p.NextPageKey
	}
	if len(seen) != 6 {
		t.Errorf("pagination saw %d events, want 6", len(seen))
	}
	for _, q := range []string{"pageSize=0", "pageSize=101", "nextPageKey=x", "fromTime=yesterday", "root=maybe"} {
		if st, body := in.Do("GET", "/api/mongodb-datastore/event?"+q, nil); st != 400 || !strings.Contains(string(body), `"code":400`) {
			t.Errorf("?%s: %d %s", q, st, body)
		}
	}
	if st, _ := in.Do("POST", "/api/mongodb-datastore/event", "{}"); st != 405 {
		t.Errorf("POST to datastore: %d, want 405", st)
	}

	// The type endpoint.
	typeQ := func(typ, q string) (int, dsPage) {
		st, body := in.Do("GET", "/api/mongodb-datastore/event/type/"+typ+"?"+q, nil)
		var p dsPage
		json.Unmarshal(body, &p)
		return st, p
	}
	if st, p := typeQ("sh.keptn.event.deployment.finished", "filter="+url.QueryEscape("data.project:demo,other")); st != 200 || len(p.Events) != 2 {
		t.Errorf("type filter project in: %d %d", st, len(p.Events))
	}
	if _, p := typeQ("sh.keptn.event.deployment.finished", "filter="+url.QueryEscape("data.project:demo AND data.service:web")); len(p.Events) != 1 {
		t.Errorf("type filter AND: %d", len(p.Events))
	}
	if _, p := typeQ("sh.keptn.event.deployment.finished", "excludeInvalidated=true&filter="+url.QueryEscape("data.project:demo")); len(p.Events) != 0 {
		t.Errorf("excludeInvalidated kept %d events", len(p.Events))
	}
	if _, p := typeQ("sh.keptn.event.deployment.finished", "limit=1&filter="+url.QueryEscape("shkeptncontext:"+ctxA+","+ctxB)); len(p.Events) != 1 {
		t.Errorf("limit: %d", len(p.Events))
	}
	for _, q := range []string{"", "filter=" + url.QueryEscape("data.stage:dev"), "filter=" + url.QueryEscape("data.nope:x AND data.project:demo"), "filter=garbage"} {
		if st, _ := typeQ("sh.keptn.event.deployment.finished", q); st != 400 {
			t.Errorf("type filter %q: %d, want 400", q, st)
		}
	}
}
