package promsli_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// exporter is a tiny metrics endpoint whose response time the test sets.
type exporter struct {
	rt  atomic.Int64
	srv *httptest.Server
}

func newExporter(t *testing.T) *exporter {
	x := &exporter{}
	x.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE http_response_time_p95 gauge\nhttp_response_time_p95{service=\"carts\",stage=\"dev\",team=\"checkout\"} %d\n", x.rt.Load())
		fmt.Fprintf(w, "# TYPE http_response_time_p95 gauge\nhttp_response_time_p95{service=\"other\",stage=\"dev\",team=\"checkout\"} 1\n")
	}))
	t.Cleanup(x.srv.Close)
	return x
}

// prometheus is Debian's Prometheus, started on a free loopback port and
// scraping the exporter every second.
type prometheus struct{ url string }

func startPrometheus(t *testing.T, target string) *prometheus {
	bin := batontest.RequireTool(t, "prometheus")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	conf := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	logPath := filepath.Join(dir, "prometheus.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	p := &prometheus{url: "http://" + addr}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logPath)
			t.Fatalf("prometheus not ready: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitValue polls Prometheus until an instant query now returns want.
func (p *prometheus) waitValue(t *testing.T, promQL, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.url + "/api/v1/query?query=" + url.QueryEscape(promQL))
		if err == nil {
			var a struct {
				Data struct {
					Result []struct{ Value []any }
				}
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if json.Unmarshal(b, &a) == nil && len(a.Data.Result) == 1 && len(a.Data.Result[0].Value) == 2 && a.Data.Result[0].Value[1] == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("prometheus never returned %s for %s; last answer %s", want, promQL, last)
}

const promShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata:
  name: prom
spec:
  stages:
    - name: dev
`

const promSLO = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: all
objectives:
  - sli: response_time_p95
    pass:
      - criteria: ["<600"]
    warning:
      - criteria: ["<=800"]
  - sli: response_time_max
  - sli: missing
total_score:
  pass: "90%"
  warning: "75%"
`

const promSLI = `spec_version: "1.0"
indicators:
  response_time_p95: max(http_response_time_p95{service="$SERVICE",stage="$STAGE",team="$LABEL.team"})
  response_time_max: max(max_over_time(http_response_time_p95{service="$SERVICE"}[$DURATION_SECONDS]))
  missing: http_no_such_metric{service="$SERVICE"}
`

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestPrometheusProvider drives pass and fail evaluations with the built-in
// provider's PromQL answered by a real Prometheus scraping a test exporter.
func TestPrometheusProvider(t *testing.T) {
	x := newExporter(t)
	x.rt.Store(200)
	prom := startPrometheus(t, strings.TrimPrefix(x.srv.URL, "http://"))
	in := batontest.Start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	must := func(method, path string, body any) []byte {
		t.Helper()
		st, b := in.Do(method, path, body)
		if st != 200 && st != 201 {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		return b
	}
	must("POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop", "shipyard": b64(promShipyard)})
	must("POST", "/api/controlPlane/v1/project/shop/service", map[string]any{"serviceName": "carts"})
	must("POST", "/api/secrets/v1/secret", map[string]any{"name": "prometheus-credentials-shop", "scope": "keptn-prometheus-service",
		"data": map[string]string{"url": prom.url}})
	must("POST", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource", map[string]any{"resources": []map[string]any{
		{"resourceURI": "slo.yaml", "resourceContent": b64(promSLO)},
		{"resourceURI": "prometheus/sli.yaml", "resourceContent": b64(promSLI)},
	}})
	// keptn configure monitoring prometheus --project shop --service carts
	must("POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.monitoring.configure", "source": "https://github.com/keptn/keptn/cli#configure-monitoring",
		"data": map[string]any{"project": "shop", "service": "carts", "type": "prometheus"}})

	evaluate := func() evaluation {
		t.Helper()
		now := time.Now().UTC()
		b := must("POST", "/api/controlPlane/v1/project/shop/stage/dev/service/carts/evaluation", map[string]any{
			"start": now.Add(-10 * time.Minute).Format("2006-01-02T15:04:05"), "end": now.Add(time.Minute).Format("2006-01-02T15:04:05"),
			"labels": map[string]string{"team": "checkout"}})
		var kc struct{ KeptnContext string }
		json.Unmarshal(b, &kc)
		return waitEvaluation(t, in, kc.KeptnContext)
	}

	prom.waitValue(t, `http_response_time_p95{service="carts"}`, "200")
	good := evaluate()
	if good.Data.Result != "pass" || good.Data.Evaluation.Score != 100 {
		t.Errorf("200ms: %+v", good.Data)
	}
	rt := good.Data.Evaluation.IndicatorResults
	if len(rt) != 3 || rt[0].Value.Value != 200 || !rt[0].Value.Success || rt[1].Value.Value != 200 || rt[1].Status != "info" {
		t.Fatalf("indicator results: %+v", rt)
	}
	if rt[2].Value.Success || rt[2].Value.Message != "query did not return any values" {
		t.Errorf("missing metric: %+v", rt[2].Value)
	}

	x.rt.Store(900)
	prom.waitValue(t, `http_response_time_p95{service="carts"}`, "900")
	bad := evaluate()
	if bad.Data.Result != "fail" || bad.Data.Evaluation.Score != 0 {
		t.Errorf("900ms: %+v", bad.Data)
	}
	if v := bad.Data.Evaluation.IndicatorResults[0].Value; v.Value != 900 || v.ComparedValue != 200 {
		t.Errorf("900ms value: %+v", v)
	}
	if len(bad.Data.Evaluation.ComparedEvents) != 1 || bad.Data.Evaluation.ComparedEvents[0] != good.ID {
		t.Errorf("comparedEvents %v, want [%s]", bad.Data.Evaluation.ComparedEvents, good.ID)
	}
}

// TestPrometheusProviderWithoutCredentials fails the evaluation with the
// provider's message when the project has no Prometheus secret.
func TestPrometheusProviderWithoutCredentials(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop", "shipyard": b64(promShipyard)}},
		{"POST", "/api/controlPlane/v1/project/shop/service", map[string]any{"serviceName": "carts"}},
		{"POST", "/api/resource-service/v1/project/shop/stage/dev/service/carts/resource", map[string]any{"resources": []map[string]any{
			{"resourceURI": "slo.yaml", "resourceContent": b64(promSLO)}}}},
		{"PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"sliProvider": "prometheus"}},
	} {
		if st, b := in.Do(r.method, r.path, r.body); st != 200 && st != 201 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, st, b)
		}
	}
	_, b := in.Do("POST", "/api/controlPlane/v1/project/shop/stage/dev/service/carts/evaluation", map[string]any{"timeframe": "5m"})
	var kc struct{ KeptnContext string }
	json.Unmarshal(b, &kc)
	ev := waitEvaluation(t, in, kc.KeptnContext)
	want := "evaluation performed by lighthouse received an unexpected error: failed to get Prometheus API URL: secret prometheus-credentials-shop (scope keptn-prometheus-service) not found; create it with key url"
	if ev.Data.Result != "fail" || ev.Data.Message != want {
		t.Errorf("got %s %q\nwant %q", ev.Data.Result, ev.Data.Message, want)
	}
}

type evaluation struct {
	ID   string `json:"id"`
	Data struct {
		Result, Status, Message string
		Evaluation              struct {
			Score            float64
			ComparedEvents   []string
			IndicatorResults []struct {
				Status string
				Value  struct {
					Value         float64
					ComparedValue float64
					Success       bool
					Message       string
				}
			}
		}
	} `json:"data"`
}

func waitEvaluation(t *testing.T, in *batontest.Instance, kc string) evaluation {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, b := in.Do("GET", "/api/mongodb-datastore/event?keptnContext="+kc+"&type=sh.keptn.event.evaluation.finished", nil)
		var page struct{ Events []evaluation }
		json.Unmarshal(b, &page)
		if len(page.Events) > 0 {
			return page.Events[0]
		}
		if time.Now().After(deadline) {
			_, h := in.Do("GET", "/api/mongodb-datastore/event?keptnContext="+kc, nil)
			t.Fatalf("no evaluation.finished; history %s", h)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
