package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// cli runs the real baton binary with a private config file.
type cli struct {
	t   *testing.T
	bin string
	env []string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, bin: batontest.Binary(t), env: append(os.Environ(),
		"BATON_CONFIG="+filepath.Join(t.TempDir(), "config.json"), "BATON_TOKEN=", "BATON_ENDPOINT=")}
}

func (c *cli) run(stdin string, args ...string) (string, error) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, err := c.run("", args...)
	if err != nil {
		c.t.Fatalf("baton %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (c *cli) fails(want string, args ...string) {
	c.t.Helper()
	out, err := c.run("", args...)
	if err == nil || !strings.Contains(out, want) {
		c.t.Fatalf("baton %s: want failure mentioning %q, got err=%v\n%s", strings.Join(args, " "), want, err, out)
	}
}

func TestCLIWalkthrough(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	c := newCLI(t)
	dir := t.TempDir()

	c.fails("no baton endpoint", "get", "projects")
	c.fails("authentication failed", "auth", "--endpoint", in.URL, "--api-token", "wrong")
	if out := c.ok("auth", "--endpoint", in.URL+"/api", "--api-token", in.Token); !strings.Contains(out, "Successfully authenticated") {
		t.Fatalf("auth: %s", out)
	}
	if out := c.ok("status"); !strings.Contains(out, "Authenticated against "+in.URL) {
		t.Errorf("status: %s", out)
	}

	shipyard := filepath.Join(dir, "shipyard.yaml")
	os.WriteFile(shipyard, []byte("apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n      sequences:\n        - name: delivery\n          tasks:\n            - name: deployment\n"), 0o644)
	c.ok("create", "project", "demo", "--shipyard", shipyard)
	c.fails("already exists", "create", "project", "demo", "--shipyard", shipyard)
	c.ok("create", "service", "web", "--project", "demo")
	out := c.ok("get", "projects")
	if !strings.Contains(out, "demo") || !strings.Contains(out, "spec.keptn.sh/0.2.4") || !strings.Contains(out, "dev") {
		t.Errorf("get projects: %s", out)
	}

	ev := filepath.Join(dir, "ev.json")
	os.WriteFile(ev, []byte(`{"type":"sh.keptn.event.dev.delivery.triggered","source":"cli-test","data":{"project":"demo","stage":"dev","service":"web"}}`), 0o644)
	out = c.ok("send", "event", "--file", ev)
	kc := strings.TrimSpace(out[strings.Index(out, "keptnContext: ")+len("keptnContext: "):])
	out = c.ok("get", "event", "dev.delivery.triggered", "--project", "demo", "--keptn-context", kc)
	if !strings.Contains(out, `"source": "cli-test"`) || !strings.Contains(out, kc) {
		t.Errorf("get event: %s", out)
	}
	if out, err := c.run(`{"type":"sh.keptn.event.x.triggered","source":"stdin","data":{}}`, "send", "event", "-f", "-"); err != nil {
		t.Errorf("send from stdin: %v %s", err, out)
	}

	res := filepath.Join(dir, "values.yaml")
	os.WriteFile(res, []byte("image: web:1\n"), 0o644)
	c.ok("add-resource", "--project", "demo", "--stage", "dev", "--service", "web", "--resource", res, "--resourceUri", "helm/values.yaml")
	st, body := in.Do("GET", "/api/resource-service/v1/project/demo/stage/dev/service/web/resource/helm%2Fvalues.yaml", nil)
	if st != 200 || !strings.Contains(string(body), "aW1hZ2U6IHdlYjoxCg==") {
		t.Errorf("resource not stored: %d %s", st, body)
	}

	c.ok("create", "secret", "creds", "--scope", "keptn-webhook-service", "--from-literal", "token=s3cr3t")
	if out := c.ok("get", "secrets"); !strings.Contains(out, "creds") || strings.Contains(out, "s3cr3t") {
		t.Errorf("get secrets: %s", out)
	}
	c.ok("delete", "secret", "creds", "--scope", "keptn-webhook-service")
	c.ok("delete", "service", "web", "--project", "demo")
	c.ok("delete", "project", "demo")
	c.fails("not found", "get", "project", "demo")
}
