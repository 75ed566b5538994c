package bridge

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc\n", "a\nc\nd\n")
	want := []diffLine{{" ", "a"}, {"-", "b"}, {" ", "c"}, {"+", "d"}}
	if diff := cmp.Diff(got, want, cmp.AllowUnexported(diffLine{})); diff != "" {
		t.Errorf("lineDiff (-got +want):\n%s", diff)
	}
	if got := lineDiff("", "x\n"); len(got) != 1 || got[0] != (diffLine{"+", "x"}) {
		t.Errorf("from nothing: %v", got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/bridge/project/a?x=1": "/bridge/project/a?x=1",
		"//evil.example/":       "/bridge/",
		"https://evil.example/": "/bridge/",
		"/api/v1/event":         "/bridge/",
		"/bridge/\\evil":        "/bridge/",
		"":                      "/bridge/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLivePage(t *testing.T) {
	for _, bad := range []string{"", "http://x/bridge/", "/api/v1/event", "/bridge/live?path=/bridge/", "/bridge/static/bridge.css", "//x/bridge/"} {
		if _, err := livePage(bad); err == nil {
			t.Errorf("livePage(%q) accepted", bad)
		}
	}
	if u, err := livePage("/bridge/project/a/sequences?state=started"); err != nil || u.Query().Get("state") != "started" {
		t.Errorf("livePage of a page: %v %v", u, err)
	}
}

func TestWords(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{now.Add(-90 * time.Second), "1 min 30 s ago"},
		{now.Add(2 * time.Hour), "in 2 h 0 min"},
		{now.Add(-200 * time.Millisecond), "just now"},
		{time.Time{}, "never"},
		{now.Add(-72 * time.Hour), "3 days ago"},
	} {
		if got := ago(now, c.t); got != c.want {
			t.Errorf("ago(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	for in, want := range map[string]string{"pass": "ok", "ROLLED_BACK": "bad", "waitingForApproval": "warn", "DEPLOYING": "run", "x": "neutral"} {
		if got := tone(in); got != want {
			t.Errorf("tone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderBudget(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rb renderBudget
	if w := rb.wait(t0); w != 0 {
		t.Fatalf("fresh budget waits %v", w)
	}
	// Five renders of 100ms, back to back.
	now := t0
	for range 5 {
		rb.spend(now, 100*time.Millisecond)
		now = now.Add(100 * time.Millisecond)
	}
	// 0.5s spent while 0.25s refilled: 0.25s left. A render of 800ms
	// overdraws it by 0.55s, of which 0.4s refilled while it ran: 0.15s to
	// make up at half a second per second.
	if w := rb.wait(now); w != 0 {
		t.Fatalf("budget left but waits %v", w)
	}
	rb.spend(now, 800*time.Millisecond)
	now = now.Add(800 * time.Millisecond)
	if w := rb.wait(now); w != 300*time.Millisecond {
		t.Fatalf("after overdrawing: wait %v, want 300ms", w)
	}
}
