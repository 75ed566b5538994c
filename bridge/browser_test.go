package bridge_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/chromedp/chromedp"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

// browser is one headless Chromium shared by the subtests of a test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts Debian's chromium. Without it the test is skipped, except
// in CI (CI=true), where a missing browser fails the test.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed (CI must have it: .ci/run installs it): %v", err)
		}
		t.Skip("chromium is not installed; skipping the browser tests")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 860),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

// on returns the browser bound to subtest t: a failure saves a screenshot
// and the page's HTML in t's temporary directory.
func (b *browser) on(t *testing.T) *browser {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir := os.Getenv("BATON_BRIDGE_ARTIFACTS")
		if dir == "" {
			dir = t.TempDir()
		}
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		defer cancel()
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
		if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644)
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Logf("page %s: screenshot and HTML saved in %s", loc, dir)
	})
	return &browser{t: t, ctx: b.ctx}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// waitText waits until the element matching css contains text. It polls in
// the page with a deadline, and polls again when a navigation replaced the
// page under it.
func (b *browser) waitText(css, text string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(document.querySelector(%q)?.innerText || "").includes(%q)`, css, text)
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, time.Until(deadline))
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		if err == nil {
			return
		}
		// "Cannot find context", "target navigated": a navigation replaced
		// the page; poll the new one.
	}
	got, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q)?.innerText || "(no element)"`, css)))
	b.t.Fatalf("%s never contained %q: %v\n%s", css, text, err, got)
}

func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func TestBrowser(t *testing.T) {
	br := newBrowser(t)
	fc := clock.NewFake(time.Now().UTC().Truncate(time.Second))
	hook := newHookReceiver(t, http.StatusForbidden)
	f := newFixture(t, server.Config{Clock: fc, AllowWebhookTargets: []string{"127.0.0.1"}})
	base := f.in.URL

	t.Run("sign in", func(t *testing.T) {
		b := br.on(t)
		b.do(chromedp.Navigate(base + "/"))
		b.waitText("h1", "Sign in to baton")
		b.do(chromedp.SendKeys(chromedp.ID("token"), "not-the-token"), chromedp.Submit(chromedp.ID("token")))
		b.waitText(".problem", "That token is not baton's API token")
		if html := b.eval(`document.documentElement.outerHTML`); strings.Contains(html, "not-the-token") {
			t.Errorf("the typed token is echoed in the page")
		}
		b.do(chromedp.SendKeys(chromedp.ID("token"), f.in.Token), chromedp.Submit(chromedp.ID("token")))
		b.waitText("main", "No projects yet")
		if cookies := b.eval(`document.cookie`); cookies != "" {
			t.Errorf("the session cookie is readable by scripts: %q", cookies)
		}
	})

	t.Run("project created through the API appears", func(t *testing.T) {
		b := br.on(t)
		f.project("shop", "cart", "web")
		b.do(chromedp.Reload())
		b.waitText("main table", "shop")
		b.do(chromedp.Click(chromedp.CSS(`a[href="/bridge/project/shop"]`)))
		b.waitText("main", "Trigger a sequence")
	})

	t.Run("trigger from the form and watch the timeline live", func(t *testing.T) {
		b := br.on(t)
		b.do(chromedp.Navigate(base+"/bridge/project/shop"),
			chromedp.SetValue(chromedp.ID("t-stage"), "dev"), chromedp.SetValue(chromedp.ID("t-seq"), "delivery"),
			chromedp.SetValue(chromedp.ID("t-svc"), "cart"),
			chromedp.SendKeys(chromedp.ID("t-data"), `{"configurationChange": {"values": {"image": "cart:2"}}}`),
			chromedp.Click(chromedp.CSS(`form[action$="/trigger"] button[type=submit]`)))
		b.waitText(".notice", "Sequence triggered.")
		b.waitText("#live-status", "Live")
		loc := b.eval(`location.pathname`)
		kc := loc[strings.LastIndex(loc, "/")+1:]
		task := f.openTask(kc, "deployment")
		b.eval(`window.notReloaded = "yes"`)
		f.answer(kc, "deployment", task, "started", map[string]any{"project": "shop", "stage": "dev", "service": "cart"})
		b.waitText("#live", "started by test-executor")
		f.answer(kc, "deployment", task, "status.changed", map[string]any{"project": "shop", "stage": "dev", "service": "cart", "message": "half of the pods run cart:2"})
		b.waitText("#live", "half of the pods run cart:2")
		f.answer(kc, "deployment", task, "finished", map[string]any{"project": "shop", "stage": "dev", "service": "cart", "status": "succeeded", "result": "pass"})
		b.waitText("#live", "release")
		if b.eval(`window.notReloaded || "reloaded"`) != "yes" {
			t.Fatalf("the page reloaded instead of updating in place")
		}
		if n := b.eval(`document.body.getAttribute("data-live-updates")`); n == "" || n == "0" {
			t.Errorf("live updates counted: %q", n)
		}
	})

	t.Run("approve a manual approval", func(t *testing.T) {
		b := br.on(t)
		kc := f.trigger("shop", "dev", "gated", "web")
		f.openTask(kc, "approval")
		b.do(chromedp.Navigate(base + "/bridge/project/shop"))
		b.waitText("#live", "Approve")
		b.do(chromedp.Click(chromedp.CSS(`button[value=approve]`)))
		b.waitText(".notice", "Approved")
		f.openTask(kc, "release") // the sequence continued
	})

	t.Run("replay a dead delivery", func(t *testing.T) {
		b := br.on(t)
		f.project("hooks", "api")
		f.webhook("hooks", hook.URL)
		f.trigger("hooks", "dev", "delivery", "api")
		hook.next(t)
		id := f.waitDelivery("dead")
		b.do(chromedp.Navigate(base + "/bridge/deliveries?state=dead"))
		b.waitText("#live", "dead")
		hook.status.Store(http.StatusOK)
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[aria-label="Replay delivery %d"]`, id))))
		b.waitText(".notice", "Delivery queued again.")
		hook.next(t)
		f.waitDelivery("done")
	})

	t.Run("follow an AppConfig deployment to COMPLETE", func(t *testing.T) {
		b := br.on(t)
		ac := f.appconfigClient()
		a := newACFixture(t, ac)
		n := a.deploy(t, ac, a.strategy, "1")
		b.do(chromedp.Navigate(fmt.Sprintf("%s/bridge/appconfig/%s/%s/%d", base, a.app, a.env, n)))
		b.waitText("#deploy-state", string(types.DeploymentStateDeploying))
		b.waitText("#live-status", "Live")
		for range 3 {
			fc.Advance(time.Minute)
		}
		b.waitText("#deploy-state", string(types.DeploymentStateComplete))
		b.waitText("#deploy-pct", "100%")
		b.waitText("#live", "DEPLOYMENT_COMPLETED")
	})

	t.Run("peek leaves the receive count alone", func(t *testing.T) {
		b := br.on(t)
		sq := f.sqsClient()
		ctx := context.Background()
		q := must[*sqs.CreateQueueOutput](t)(sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("peeked")})).QueueUrl
		must[*sqs.SendMessageOutput](t)(sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("look, do not touch")}))
		b.do(chromedp.Navigate(base + "/bridge/queues"))
		b.waitText("main", "peeked")
		b.do(chromedp.Click(chromedp.CSS(`a[href="/bridge/queues/peeked"]`)))
		b.waitText("#live", "look, do not touch")
		b.do(chromedp.Reload())
		b.waitText("#live", "look, do not touch")
		rec := must[*sqs.ReceiveMessageOutput](t)(sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}}))
		if len(rec.Messages) != 1 || rec.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
			t.Fatalf("after two peeks the first receive got %+v", rec.Messages)
		}
	})

	t.Run("a cross-site POST is refused", func(t *testing.T) {
		b := br.on(t)
		var before struct{ TotalCount int }
		f.api(200, "GET", "/api/controlPlane/v1/sequence/shop", nil, &before)
		evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<form id="f" method="post" action="%s/bridge/project/shop/trigger">
<input name="stage" value="dev"><input name="sequence" value="delivery"><input name="service" value="cart"></form>
<script>document.getElementById("f").submit()</script>`, base)
		}))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		evil.Listener = ln
		evil.Start()
		defer evil.Close()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		b.do(chromedp.Navigate("http://localhost:" + port + "/")) // another site than 127.0.0.1
		b.waitText("main", "came from another site")
		var after struct{ TotalCount int }
		f.api(200, "GET", "/api/controlPlane/v1/sequence/shop", nil, &after)
		if after.TotalCount != before.TotalCount {
			t.Fatalf("the cross-site form triggered a sequence")
		}
	})

	if dir := os.Getenv("BATON_SCREENSHOTS"); dir != "" {
		t.Run("screenshots", func(t *testing.T) { screenshots(t, br.on(t), f, dir) })
	}
	if strings.Contains(f.logs.String(), f.in.Token) {
		t.Errorf("the token reached the log")
	}
}
