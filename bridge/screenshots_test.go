package bridge_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// screenshots writes a PNG of each main view of the seeded baton into dir
// (make screenshots sets BATON_SCREENSHOTS=docs/bridge).
func screenshots(t *testing.T, b *browser, f *fixture, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.login()
	seedEvaluations(f)
	list := f.mustGet("/bridge/project/shop/sequences")
	seq := regexp.MustCompile(`/bridge/project/shop/sequence/[0-9a-f-]+`).FindString(list)
	deploy := regexp.MustCompile(`/bridge/appconfig/[a-z0-9]+/[a-z0-9]+`).FindString(f.mustGet("/bridge/appconfig/" +
		regexp.MustCompile(`/bridge/appconfig/([a-z0-9]+)`).FindStringSubmatch(f.mustGet("/bridge/appconfig"))[1]))
	views := []struct{ name, path string }{
		{"projects", "/bridge/"},
		{"environment", "/bridge/project/shop"},
		{"sequences", "/bridge/project/shop/sequences"},
		{"sequence", seq},
		{"deliveries", "/bridge/deliveries"},
		{"appconfig-deployments", deploy},
		{"appconfig-deployment", deploy + "/1"},
		{"queues", "/bridge/queues"},
		{"queue", "/bridge/queues/peeked"},
		{"integrations", "/bridge/integrations"},
		{"evaluations", "/bridge/project/shop/evaluations"},
		{"settings", "/bridge/project/shop/settings"},
	}
	for _, v := range views {
		b.do(chromedp.Navigate(f.in.URL + v.path))
		b.waitText("footer", "baton")
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", v.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, v.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One view in the dark scheme (the pages follow the system's).
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatalf("dark scheme: %v", err)
	}
	defer chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	b.do(chromedp.Navigate(f.in.URL + seq))
	b.waitText("footer", "baton")
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sequence-dark.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedEvaluations adds three evaluation results for the heatmap.
func seedEvaluations(f *fixture) {
	for i, v := range []struct {
		result    string
		p95, errs float64
	}{{"pass", 212, 0.1}, {"warning", 340, 0.4}, {"fail", 610, 2.5}} {
		status := func(ok bool, warn bool) string {
			switch {
			case ok:
				return "pass"
			case warn:
				return "warning"
			}
			return "fail"
		}
		f.api(200, "POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.evaluation.finished", "source": "lighthouse-service",
			"data": map[string]any{"project": "shop", "stage": "dev", "service": "cart", "result": v.result,
				"evaluation": map[string]any{"score": []float64{100, 75, 25}[i], "indicatorResults": []map[string]any{
					{"score": 1, "status": status(v.p95 <= 300, v.p95 <= 400), "value": map[string]any{"metric": "response_time_p95", "value": v.p95},
						"passTargets": []map[string]any{{"criteria": "<=300", "targetValue": 300, "violated": v.p95 > 300}}, "warningTargets": []map[string]any{{"criteria": "<=400", "targetValue": 400, "violated": v.p95 > 400}}},
					{"score": 1, "status": status(v.errs <= 0.5, false), "value": map[string]any{"metric": "error_rate", "value": v.errs},
						"passTargets": []map[string]any{{"criteria": "<=0.5", "targetValue": 0.5, "violated": v.errs > 0.5}}},
				}}}}, nil)
	}
}
