package keptnapi_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const shipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata:
  name: shipyard-demo
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
              properties:
                deploymentstrategy: direct
            - name: test
    - name: staging
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: deployment
`

func b64s(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func createProject(t *testing.T, in *batontest.Instance, name string) {
	t.Helper()
	st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": name, "shipyard": b64s(shipyard)})
	if st != 201 || len(body) != 0 {
		t.Fatalf("create project %s: %d %s", name, st, body)
	}
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

type projectResp struct {
	ProjectName     string `json:"projectName"`
	Shipyard        string `json:"shipyard"`
	ShipyardVersion string `json:"shipyardVersion"`
	CreationDate    string `json:"creationDate"`
	Stages          []struct {
		StageName    string   `json:"stageName"`
		ParentStages []string `json:"parentStages"`
		Services     []struct {
			ServiceName    string                    `json:"serviceName"`
			DeployedImage  string                    `json:"deployedImage"`
			LastEventTypes map[string]map[string]any `json:"lastEventTypes"`
		} `json:"services"`
	} `json:"stages"`
	GitCredentials map[string]any `json:"gitCredentials"`
}

func TestProjectLifecycle(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	createProject(t, in, "demo")
	if st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": b64s(shipyard)}); st != 409 {
		t.Fatalf("duplicate project: %d %s", st, body)
	}
	st, body := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"})
	if st != 200 || strings.TrimSpace(string(body)) != `{"message":""}` {
		t.Fatalf("create service: %d %s", st, body)
	}
	if st, _ := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": "web"}); st != 409 {
		t.Fatalf("duplicate service: %d", st)
	}
	if st, _ := in.Do("POST", "/api/controlPlane/v1/project/nope/service", map[string]any{"serviceName": "web"}); st != 404 {
		t.Fatalf("service in missing project: %d", st)
	}

	// An event for the service shows up in lastEventTypes and lastEventContext.
	ev := `{"type":"sh.keptn.event.deployment.finished","source":"test","data":{"project":"demo","stage":"dev","service":"web","result":"pass","configurationChange":{"values":{"image":"web:1.2"}}}}`
	if st, body := in.Do("POST", "/api/v1/event", ev); st != 200 {
		t.Fatalf("event: %d %s", st, body)
	}

	st, body = in.Do("GET", "/api/controlPlane/v1/project/demo", nil)
	if st != 200 {
		t.Fatalf("get project: %d %s", st, body)
	}
	p := decode[projectResp](t, body)
	if p.ProjectName != "demo" || p.Shipyard != shipyard || p.ShipyardVersion != "spec.keptn.sh/0.2.4" || p.CreationDate == "" {
		t.Errorf("project = %+v", p)
	}
	if len(p.Stages) != 2 || p.Stages[0].StageName != "dev" || p.Stages[1].StageName != "staging" {
		t.Fatalf("stages = %+v", p.Stages)
	}
	if got := p.Stages[1].ParentStages; len(got) != 1 || got[0] != "dev" {
		t.Errorf("staging parents = %v, want [dev]", got)
	}
	dev := p.Stages[0]
	if len(dev.Services) != 1 || dev.Services[0].ServiceName != "web" || dev.Services[0].DeployedImage != "web:1.2" {
		t.Fatalf("dev services = %+v", dev.Services)
	}
	if _, ok := dev.Services[0].LastEventTypes["sh.keptn.event.deployment.finished"]; !ok {
		t.Errorf("lastEventTypes = %v", dev.Services[0].LastEventTypes)
	}

	// Stage and service routes.
	st, body = in.Do("GET", "/api/controlPlane/v1/project/demo/stage", nil)
	if st != 200 || !strings.Contains(string(body), `"totalCount":2`) {
		t.Errorf("stages: %d %s", st, body)
	}
	if st, body := in.Do("GET", "/api/controlPlane/v1/project/demo/stage/staging/service/web", nil); st != 200 || !strings.Contains(string(body), `"serviceName":"web"`) {
		t.Errorf("service: %d %s", st, body)
	}
	if st, _ := in.Do("GET", "/api/controlPlane/v1/project/demo/stage/prod", nil); st != 404 {
		t.Errorf("missing stage: %d", st)
	}

	// The shipyard is also the project resource shipyard.yaml.
	st, body = in.Do("GET", "/api/resource-service/v1/project/demo/resource/shipyard.yaml", nil)
	if st != 200 || !strings.Contains(string(body), b64s(shipyard)) {
		t.Errorf("shipyard resource: %d %s", st, body)
	}

	// Lifecycle events were emitted.
	st, body = in.Do("GET", "/api/mongodb-datastore/event?project=demo&type=sh.keptn.event.service.create.finished", nil)
	if st != 200 || !strings.Contains(string(body), `"totalCount":1`) {
		t.Errorf("service.create.finished: %d %s", st, body)
	}

	if st, body := in.Do("DELETE", "/api/controlPlane/v1/project/demo/service/web", nil); st != 200 {
		t.Errorf("delete service: %d %s", st, body)
	}
	if st, body := in.Do("DELETE", "/api/controlPlane/v1/project/demo", nil); st != 200 || !strings.Contains(string(body), "message") {
		t.Errorf("delete project: %d %s", st, body)
	}
	if st, _ := in.Do("GET", "/api/controlPlane/v1/project/demo", nil); st != 404 {
		t.Errorf("deleted project: %d", st)
	}
	if st, _ := in.Do("DELETE", "/api/controlPlane/v1/project/demo", nil); st != 404 {
		t.Errorf("delete missing project: %d", st)
	}
}

func TestProjectPagination(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	for _, n := range []string{"p1", "p2", "p3"} {
		createProject(t, in, n)
	}
	st, body := in.Do("GET", "/api/controlPlane/v1/project?pageSize=2", nil)
	page := decode[struct {
		Projects    []projectResp
		NextPageKey string
		TotalCount  int
	}](t, body)
	if st != 200 || len(page.Projects) != 2 || page.NextPageKey != "2" || page.TotalCount != 3 {
		t.Fatalf("page 1: %d %s", st, body)
	}
	_, body = in.Do("GET", "/api/controlPlane/v1/project?pageSize=2&nextPageKey=2", nil)
	page = decode[struct {
		Projects    []projectResp
		NextPageKey string
		TotalCount  int
	}](t, body)
	if len(page.Projects) != 1 || page.Projects[0].ProjectName != "p3" || page.NextPageKey != "0" {
		t.Fatalf("page 2: %s", body)
	}
	if st, _ := in.Do("GET", "/api/controlPlane/v1/project?pageSize=abc", nil); st != 400 {
		t.Errorf("bad pageSize: %d", st)
	}
}

func TestProjectBadInput(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	bad := map[string]struct {
		body any
		msg  string
	}{
		"bad name":         {map[string]any{"name": "Demo_1", "shipyard": b64s(shipyard)}, "project name"},
		"empty name":       {map[string]any{"name": "", "shipyard": b64s(shipyard)}, "must not be empty"},
		"not base64":       {map[string]any{"name": "p", "shipyard": "%%%"}, "base64"},
		"no shipyard":      {map[string]any{"name": "p"}, "shipyard is required"},
		"not yaml":         {map[string]any{"name": "p", "shipyard": b64s("stages: [")}, "invalid shipyard"},
		"old version":      {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "0.2.4", "0.1.7", 1))}, "0.2.0 and later"},
		"wrong kind":       {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "kind: Shipyard", "kind: Other", 1))}, "kind"},
		"no stages":        {map[string]any{"name": "p", "shipyard": b64s("apiVersion: spec.keptn.sh/0.2.0\nkind: Shipyard\nspec:\n  stages: []\n")}, "at least one stage"},
		"bad stage name":   {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "name: dev", "name: Dev!", 1))}, "stage name"},
		"dotted task":      {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "name: test", "name: te.st", 1))}, "must not contain dots"},
		"bad delay":        {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "- name: test", "- name: test\n              triggeredAfter: soon", 1))}, "triggeredAfter"},
		"bad trigger":      {map[string]any{"name": "p", "shipyard": b64s(strings.Replace(shipyard, "dev.delivery.finished", "dev.delivery", 1))}, "triggeredOn"},
		"https and ssh":    {map[string]any{"name": "p", "shipyard": b64s(shipyard), "gitCredentials": map[string]any{"remoteURL": "https://git.example.com/r.git", "https": map[string]any{"token": "t"}, "ssh": map[string]any{"privateKey": "k"}}}, "mutually exclusive"},
		"bad remote":       {map[string]any{"name": "p", "shipyard": b64s(shipyard), "gitCredentials": map[string]any{"remoteURL": "file:///etc"}}, "remoteURL"},
		"malformed json":   {`{"name":`, "malformed JSON"},
		"wrong field type": {`{"name":5}`, "malformed JSON"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			st, body := in.Do("POST", "/api/controlPlane/v1/project", c.body)
			if st != 400 || !strings.Contains(string(body), c.msg) || !strings.Contains(string(body), `"code":400`) {
				t.Errorf("got %d %s, want 400 mentioning %q", st, body, c.msg)
			}
		})
	}
	_, body := in.Do("GET", "/api/controlPlane/v1/project", nil)
	if !strings.Contains(string(body), `"totalCount":0`) {
		t.Errorf("bad input created something: %s", body)
	}
	if st, _ := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": strings.Repeat("a", 201), "shipyard": b64s(shipyard)}); st != 400 {
		t.Errorf("long name: %d", st)
	}
	createProject(t, in, "demo")
	if st, _ := in.Do("POST", "/api/controlPlane/v1/project/demo/service", map[string]any{"serviceName": strings.Repeat("s", 44)}); st != 400 {
		t.Errorf("service name over 43: %d", st)
	}
}

func TestGitCredentialsNeverReturned(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	st, body := in.Do("POST", "/api/controlPlane/v1/project", map[string]any{"name": "demo", "shipyard": b64s(shipyard),
		"gitCredentials": map[string]any{"remoteURL": "https://git.example.com/demo.git", "user": "bot",
			"https": map[string]any{"token": "ghp_SUPERSECRET", "insecureSkipTLS": true,
				"proxy": map[string]any{"url": "proxy:3128", "scheme": "http", "user": "pu", "password": "PROXYSECRET"}}}})
	if st != 201 {
		t.Fatalf("create: %d %s", st, body)
	}
	_, body = in.Do("GET", "/api/controlPlane/v1/project/demo", nil)
	if strings.Contains(string(body), "SUPERSECRET") || strings.Contains(string(body), "PROXYSECRET") {
		t.Fatalf("secret returned: %s", body)
	}
	p := decode[projectResp](t, body)
	if p.GitCredentials["remoteURL"] != "https://git.example.com/demo.git" || p.GitCredentials["user"] != "bot" {
		t.Errorf("public credentials = %v", p.GitCredentials)
	}
	// Update only the credentials (PUT without shipyard keeps it).
	st, body = in.Do("PUT", "/api/controlPlane/v1/project", map[string]any{"name": "demo",
		"gitCredentials": map[string]any{"remoteURL": "ssh://git@git.example.com/demo.git", "ssh": map[string]any{"privateKey": "S1NIS0VZ"}}})
	if st != 201 {
		t.Fatalf("update: %d %s", st, body)
	}
	_, body = in.Do("GET", "/api/controlPlane/v1/project/demo", nil)
	p = decode[projectResp](t, body)
	if p.GitCredentials["remoteURL"] != "ssh://git@git.example.com/demo.git" || p.Shipyard != shipyard || strings.Contains(string(body), "S1NIS0VZ") {
		t.Errorf("after update: %s", body)
	}
	if st, _ := in.Do("PUT", "/api/controlPlane/v1/project", map[string]any{"name": "nope"}); st != 404 {
		t.Errorf("update missing project: %d", st)
	}
}
