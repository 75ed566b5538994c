package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const uxShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata: {name: ux}
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks: [{name: deployment}]
        - name: empty
          tasks: []
    - name: prod
      sequences:
        - name: delivery
          triggeredOn: [{event: dev.delivery.finished}]
          tasks: [{name: deployment}]
`

// runFor runs the CLI with a deadline, so a --watch that never returns
// fails the test instead of hanging it.
func (c *cli) runFor(d time.Duration, args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		c.t.Fatalf("baton %s did not return within %s:\n%s", strings.Join(args, " "), d, out)
	}
	return string(out), err
}

func uxProject(t *testing.T, cfg server.Config) (*batontest.Instance, *cli) {
	in := batontest.Start(t, cfg)
	c := newCLI(t)
	c.env = append(c.env, "BATON_ENDPOINT="+in.URL, "BATON_TOKEN="+in.Token)
	shipyard := filepath.Join(t.TempDir(), "shipyard.yaml")
	if err := os.WriteFile(shipyard, []byte(uxShipyard), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("create", "project", "ux", "--shipyard", shipyard)
	c.ok("create", "service", "web", "--project", "ux")
	return in, c
}

// baton trigger checks what it triggers before sending, and names what is missing.
func TestCLITriggerChecksTarget(t *testing.T) {
	_, c := uxProject(t, server.Config{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--project", "nosuch", "--stage", "dev", "--service", "web"}, "project nosuch does not exist"},
		{[]string{"--project", "ux", "--stage", "qa", "--service", "web"}, "stage qa does not exist in project ux"},
		{[]string{"--project", "ux", "--stage", "dev", "--service", "api"}, "service api does not exist in project ux"},
	} {
		c.fails(tc.want, append([]string{"trigger", "sequence", "delivery"}, tc.args...)...)
	}
	c.fails("sequence hotfix does not exist in stage dev", "trigger", "sequence", "hotfix", "--project", "ux", "--stage", "dev", "--service", "web")
	c.fails("service api does not exist", "trigger", "delivery", "--project", "ux", "--service", "api", "--image", "x:1")
	if out := c.ok("get", "sequences", "--project", "ux"); strings.Count(out, "\n") != 1 {
		t.Errorf("a refused trigger was sent:\n%s", out)
	}
	out := c.ok("get", "stages", "--project", "ux")
	if !strings.Contains(out, "dev    web       delivery,empty") || !strings.Contains(out, "prod   web       delivery") {
		t.Errorf("get stages:\n%s", out)
	}
	out = c.ok("get", "services", "--project", "ux", "--stage", "prod")
	if !strings.Contains(out, "web      prod") || strings.Contains(out, "dev") {
		t.Errorf("get services --stage prod:\n%s", out)
	}
	c.fails("stage qa does not exist", "get", "services", "--project", "ux", "--stage", "qa")
}

// A sequence refused at trigger time ends --watch at once with a non-zero
// exit code, and is listed as failed with the reason; -o json keeps every
// field of the API.
func TestCLIWatchRefusedSequence(t *testing.T) {
	_, c := uxProject(t, server.Config{})
	out, err := c.runFor(time.Minute, "trigger", "sequence", "empty", "--project", "ux", "--stage", "dev", "--service", "web", "--watch")
	if err == nil || !strings.Contains(out, "result fail") || !strings.Contains(out, "no sequence empty with tasks") {
		t.Fatalf("watch of a refused sequence: err=%v\n%s", err, out)
	}
	out = c.ok("get", "sequences", "--project", "ux")
	for _, want := range []string{"RESULT", "DURATION", "MESSAGE", "empty", "finished", "fail", "no sequence empty with tasks"} {
		if !strings.Contains(out, want) {
			t.Errorf("get sequences: no %q in\n%s", want, out)
		}
	}
	var states []map[string]any
	if err := json.Unmarshal([]byte(c.ok("get", "sequences", "--project", "ux", "-o", "json")), &states); err != nil || len(states) != 1 {
		t.Fatalf("get sequences -o json: %v %v", err, states)
	}
	stage := states[0]["stages"].([]any)[0].(map[string]any)
	if states[0]["endTime"] == nil || states[0]["result"] != "fail" || stage["latestFailedEvent"] == nil || stage["latestEvent"] == nil {
		t.Errorf("-o json dropped API fields: %v", states[0])
	}
}

// --watch shows webhook retries while they happen and exits 0 when the
// sequence passes.
func TestCLIWatchShowsWebhookRetries(t *testing.T) {
	var calls atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "not yet", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer target.Close()
	_, c := uxProject(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	hook := filepath.Join(t.TempDir(), "webhook.yaml")
	os.WriteFile(hook, []byte(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
metadata: {name: webhook-configuration}
spec:
  webhooks:
    - type: sh.keptn.event.deployment.triggered
      sendFinished: true
      requests:
        - url: `+target.URL+`/deploy
          method: POST
`), 0o600)
	for _, stage := range []string{"dev", "prod"} {
		c.ok("add-resource", "--project", "ux", "--stage", stage, "--service", "web", "--resource", hook, "--resourceUri", "webhook/webhook.yaml")
	}
	out, err := c.runFor(2*time.Minute, "trigger", "delivery", "--project", "ux", "--service", "web", "--image", "web:2", "--watch")
	if err != nil {
		t.Fatalf("watch of a passing sequence: %v\n%s", err, out)
	}
	t.Logf("baton trigger delivery --watch:\n%s", out)
	for _, want := range []string{"attempt 1 of 8 answered 500, next in", "attempt 2 of 8 answered 500, next in", "prod.delivery.finished", "result pass"} {
		if !strings.Contains(out, want) {
			t.Errorf("watch: no %q in\n%s", want, out)
		}
	}
}

// Connection refused, the config file's mode and get --help.
func TestCLIOperatorBasics(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	c := newCLI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	c.fails("cannot reach baton at "+down+" — is `baton serve` running?", "--endpoint", down, "--api-token", "x", "get", "projects")
	c.fails("cannot reach baton at "+down+" — is `baton serve` running?", "--endpoint", down, "get", "deployments",
		"--application", "a", "--environment", "e", "--access-key", "AKIAAAAAAAAAAAAAAAAA", "--secret-key", "s")

	var cfg string
	for _, kv := range c.env {
		if v, ok := strings.CutPrefix(kv, "BATON_CONFIG="); ok {
			cfg = v
		}
	}
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	os.WriteFile(cfg, []byte("{}"), 0o644) // left by an older version
	c.ok("auth", "--endpoint", in.URL, "--api-token", in.Token)
	if fi, err := os.Stat(cfg); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode: %v %v", fi.Mode(), err)
	}
	out := c.ok("get", "--help")
	for _, want := range []string{"projects", "stages", "services", "sequences", "event", "evaluations", "monitoring", "deliveries", "deployments", "secrets"} {
		if !strings.Contains(out, "\n  "+want) {
			t.Errorf("get --help does not list %s:\n%s", want, out)
		}
	}
}
