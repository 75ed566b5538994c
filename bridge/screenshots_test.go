package bridge_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshots writes a PNG of each main view of the seeded baton into dir
// (make screenshots sets BATON_SCREENSHOTS=docs/bridge).
func screenshots(t *testing.T, b *browser, f *fixture, dir string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.login()
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
}
