package bridge_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const shipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata: {name: shipyard}
spec:
  stages:
    - name: dev
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: release
        - name: gated
          tasks:
            - name: approval
            - name: release
    - name: prod
      sequences:
        - name: delivery
          triggeredOn:
            - event: dev.delivery.finished
          tasks:
            - name: deployment
`

// fixture is a real baton on loopback and a signed-in HTTP client that does
// not follow redirects.
type fixture struct {
	t      testing.TB
	in     *batontest.Instance
	client *http.Client
	logs   *batontest.SyncBuffer
}

func newFixture(t testing.TB, cfg server.Config) *fixture {
	t.Helper()
	f := &fixture{t: t, logs: &batontest.SyncBuffer{}}
	if cfg.Logger == nil {
		cfg.Logger = newLogger(f.logs)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	f.in = batontest.Start(t, cfg)
	f.client = newClient()
	return f
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs the fixture's client in with the admin token.
func (f *fixture) login() {
	f.t.Helper()
	resp := f.post("/bridge/login", url.Values{"token": {f.in.Token}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("sign in: status %d", resp.StatusCode)
	}
}

func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	resp, err := f.client.Get(f.in.URL + path)
	if err != nil {
		f.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), f.in.Token) {
		f.t.Errorf("GET %s: the page holds the API token", path)
	}
	return resp.StatusCode, string(b)
}

// mustGet returns the body of a 200 page.
func (f *fixture) mustGet(path string) string {
	f.t.Helper()
	st, body := f.get(path)
	if st != http.StatusOK {
		f.t.Fatalf("GET %s: status %d\n%s\nlog:\n%s", path, st, body, f.logs.String())
	}
	return body
}

// post sends a form from the Bridge's own origin (as a browser would,
// with Sec-Fetch-Site: same-origin) unless headers say otherwise.
func (f *fixture) post(path string, form url.Values, headers map[string]string) *http.Response {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.in.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", f.in.URL)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("POST %s: %v", path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// api calls baton's API with the token and decodes a JSON answer into out.
func (f *fixture) api(want int, method, path string, in, out any) {
	f.t.Helper()
	st, b := f.in.Do(method, path, in)
	if st != want {
		f.t.Fatalf("%s %s: status %d %s, want %d", method, path, st, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// project creates a project with the test shipyard and services.
func (f *fixture) project(name string, services ...string) {
	f.t.Helper()
	f.api(201, "POST", "/api/controlPlane/v1/project", map[string]any{
		"name": name, "shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))}, nil)
	for _, s := range services {
		f.api(200, "POST", "/api/controlPlane/v1/project/"+name+"/service", map[string]any{"serviceName": s}, nil)
	}
}

// trigger starts a sequence through the API and returns its keptnContext.
func (f *fixture) trigger(project, stage, seq, service string) string {
	f.t.Helper()
	var out struct{ KeptnContext string }
	f.api(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event." + stage + "." + seq + ".triggered",
		"source": "test", "data": map[string]any{"project": project, "stage": stage, "service": service}}, &out)
	return out.KeptnContext
}

// openTask waits for the open .triggered event of task in kc and returns its id.
func (f *fixture) openTask(kc, task string) string {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var out struct {
			Events []struct {
				ID             string `json:"id"`
				Shkeptncontext string `json:"shkeptncontext"`
			} `json:"events"`
		}
		f.api(200, "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event."+task+".triggered?wait=5s", nil, &out)
		for _, e := range out.Events {
			if e.Shkeptncontext == kc {
				return e.ID
			}
		}
	}
	f.t.Fatalf("no open %s task in %s", task, kc)
	return ""
}

// answer sends sh.keptn.event.<task>.<phase> for the triggered event id.
func (f *fixture) answer(kc, task, triggeredID, phase string, data map[string]any) {
	f.t.Helper()
	typ := "sh.keptn.event." + task + "." + phase
	if phase == "status.changed" {
		typ = "sh.keptn.event." + task + ".status.changed"
	}
	f.api(200, "POST", "/api/v1/event", map[string]any{"type": typ, "source": "test-executor",
		"shkeptncontext": kc, "triggeredid": triggeredID, "data": data}, nil)
}

// sse reads a Bridge live stream.
type sse struct {
	resp   *http.Response
	events chan [2]string
}

func (f *fixture) stream(ctx context.Context, page, digest string) *sse {
	f.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		f.in.URL+"/bridge/live?path="+url.QueryEscape(page)+"&v="+url.QueryEscape(digest), nil)
	resp, err := (&http.Client{Jar: f.client.Jar}).Do(req)
	if err != nil {
		f.t.Fatalf("open stream: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		f.t.Fatalf("stream: status %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{resp: resp, events: make(chan [2]string, 64)}
	go s.read()
	f.t.Cleanup(func() { resp.Body.Close() })
	return s
}

func (s *sse) read() {
	defer close(s.events)
	sc := bufio.NewScanner(s.resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var name string
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[len("data: "):])
		case line == "":
			s.events <- [2]string{name, strings.Join(data, "\n")}
			name, data = "", nil
		}
	}
}

// waitFor returns the first live event whose data contains want.
func (s *sse) waitFor(t testing.TB, want string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("stream ended before %q", want)
			}
			if ev[0] == "live" && strings.Contains(ev[1], want) {
				return ev[1]
			}
		case <-timeout:
			t.Fatalf("no live update containing %q", want)
		}
	}
}
