package bridge_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/batonhq/baton/bridge"
	"github.com/batonhq/baton/server"
)

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == bridge.CookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", bridge.CookieName, resp.Header.Values("Set-Cookie"))
	return nil
}

func TestSignInSessionAndSignOut(t *testing.T) {
	f := newFixture(t, server.Config{})

	// Without a session every page sends the browser to the sign-in page.
	resp, err := f.client.Get(f.in.URL + "/bridge/deliveries?state=dead")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/bridge/login?next=/bridge/deliveries%3Fstate=dead" {
		t.Fatalf("unauthenticated page: %d %q", resp.StatusCode, loc)
	}
	if st, page := f.get("/bridge/login"); st != 200 || !strings.Contains(page, `name="token"`) || !strings.Contains(page, `type="password"`) {
		t.Fatalf("sign-in page: %d %s", st, page)
	}
	// GET / redirects to the Bridge.
	if resp, err := f.client.Get(f.in.URL + "/"); err != nil || resp.Header.Get("Location") != "/bridge/" {
		t.Fatalf("GET /: %v %v", resp, err)
	}

	// A wrong token gets words, no cookie, and is not echoed.
	wrong := "wrong-token-value-123"
	resp = f.post("/bridge/login", url.Values{"token": {wrong}}, nil)
	page := body(resp)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "not baton&#39;s API token") || strings.Contains(page, wrong) {
		t.Fatalf("wrong token: %d %s", resp.StatusCode, page)
	}
	if len(resp.Cookies()) != 0 {
		t.Fatalf("wrong token set cookies %v", resp.Cookies())
	}

	// The right token: a session cookie with the flags, then the page asked for.
	resp = f.post("/bridge/login", url.Values{"token": {f.in.Token}, "next": {"/bridge/deliveries?state=dead"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bridge/deliveries?state=dead" {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := sessionCookie(t, resp)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/bridge/" || c.MaxAge <= 0 || c.MaxAge > int(bridge.SessionTTL.Seconds()) {
		t.Errorf("cookie flags: %+v", c)
	}
	if strings.Contains(c.Value, f.in.Token) {
		t.Errorf("cookie carries the token")
	}
	if page := f.mustGet("/bridge/"); !strings.Contains(page, "No projects yet") {
		t.Errorf("projects page: %s", page)
	}

	// Behind TLS (a proxy saying https) the cookie is Secure.
	resp = f.post("/bridge/login", url.Values{"token": {f.in.Token}}, map[string]string{"X-Forwarded-Proto": "https"})
	if c := sessionCookie(t, resp); !c.Secure {
		t.Errorf("cookie under TLS is not Secure: %+v", c)
	}

	// An open redirect is refused: next must be a Bridge path.
	resp = f.post("/bridge/login", url.Values{"token": {f.in.Token}, "next": {"//evil.example/"}}, nil)
	if loc := resp.Header.Get("Location"); loc != "/bridge/" {
		t.Errorf("next=//evil.example: redirected to %q", loc)
	}

	// Sign out: the cookie is cleared and the old value no longer works.
	old := sessionCookie(t, resp).Value
	resp = f.post("/bridge/logout", nil, nil)
	if resp.StatusCode != http.StatusSeeOther || sessionCookie(t, resp).MaxAge >= 0 {
		t.Fatalf("sign out: %d %v", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	req, _ := http.NewRequest("GET", f.in.URL+"/bridge/", nil)
	req.AddCookie(&http.Cookie{Name: bridge.CookieName, Value: old})
	resp, err = newClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("revoked session: status %d", resp.StatusCode)
	}

	// A forged cookie is refused.
	req.Header.Del("Cookie")
	req.AddCookie(&http.Cookie{Name: bridge.CookieName, Value: old[:len(old)-2] + "AA"})
	if resp, err = newClient().Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged session: %v %v", resp, err)
	}

	if strings.Contains(f.logs.String(), f.in.Token) || strings.Contains(f.logs.String(), wrong) {
		t.Errorf("a token reached the log:\n%s", f.logs.String())
	}
}

func TestOnlySignInAndAssetsAreOpen(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.project("shop", "cart")
	kc := f.trigger("shop", "dev", "delivery", "cart")
	for _, path := range []string{"/bridge/", "/bridge/project/shop", "/bridge/project/shop/sequences",
		"/bridge/project/shop/sequence/" + kc, "/bridge/deliveries", "/bridge/appconfig", "/bridge/queues",
		"/bridge/integrations", "/bridge/project/shop/settings", "/bridge/project/shop/evaluations", "/bridge/nothing"} {
		resp, err := f.client.Get(f.in.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bridge/login") {
			t.Errorf("GET %s without a session: %d", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/bridge/live?path=/bridge/", "/bridge/deliveries/1/replay", "/bridge/project/shop/trigger",
		"/bridge/logout", "/bridge/queues/q/purge"} {
		method := http.MethodPost
		if strings.HasPrefix(path, "/bridge/live") {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, f.in.URL+path, nil)
		resp, err := f.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s without a session: %d, want 401", method, path, resp.StatusCode)
		}
	}
	resp, err := f.client.Get(f.in.URL + "/bridge/static/bridge.css")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("static asset: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestCrossSiteWritesAreRefused(t *testing.T) {
	f := newFixture(t, server.Config{})
	f.project("shop", "cart")
	f.login()
	form := url.Values{"stage": {"dev"}, "sequence": {"delivery"}, "service": {"cart"}}
	for name, h := range map[string]map[string]string{
		"fetch metadata": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"same site":      {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"},
		"origin only":    {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
	} {
		resp := f.post("/bridge/project/shop/trigger", form, h)
		if page := body(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "came from another site") {
			t.Errorf("%s: status %d %s", name, resp.StatusCode, page)
		}
	}
	var seqs struct{ TotalCount int }
	f.api(200, "GET", "/api/controlPlane/v1/sequence/shop", nil, &seqs)
	if seqs.TotalCount != 0 {
		t.Fatalf("a refused request triggered %d sequences", seqs.TotalCount)
	}
	// The same form from the Bridge itself works.
	resp := f.post("/bridge/project/shop/trigger", form, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/bridge/project/shop/sequence/") {
		t.Fatalf("same-origin trigger: %d %s", resp.StatusCode, body(resp))
	}
}
