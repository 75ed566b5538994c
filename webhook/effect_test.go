package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/webhook"
)

// TestFinishedCommitsWithOutcome: with KeptnTx, a fire-and-forget call's
// .finished is an effect of its outcome and is not in the history before
// the outcome's transaction runs it; without, it is appended at once.
func TestFinishedCommitsWithOutcome(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ks := sqlite.NewKeptnStore(db)
	events := keptn.NewEvents(ks, clock.Real{})
	guard, err := netguard.New([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer endpoint.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	triggered := func(id string) outbox.Item {
		ev := keptn.Event{SpecVersion: "1.0", ID: id, Source: "test", Type: "sh.keptn.event.t.triggered", Shkeptncontext: "kc-" + id,
			Time: keptn.FormatTime(clock.Real{}.Now()), Data: json.RawMessage(`{"project":"p","stage":"s","service":"svc"}`)}
		evJSON, _ := json.Marshal(ev)
		payload, _ := json.Marshal(map[string]any{"event": json.RawMessage(evJSON), "task": "t",
			"webhook": webhook.Webhook{Type: ev.Type, SendFinished: true, Requests: []webhook.Request{{Method: "POST", URL: endpoint.URL}}}})
		return outbox.Item{ID: 1, Kind: webhook.Kind, Key: id + "-0", Payload: payload, Attempts: 1}
	}
	finished := func(kc string) int {
		_, n, err := ks.Events(ctx, keptn.EventFilter{KeptnContext: []string{kc}, Type: "sh.keptn.event.t.finished", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	withTx := webhook.New(events, ks, nil, webhook.Options{Guard: guard, Log: log,
		KeptnTx: func(tx outbox.Tx) (keptn.Tx, bool) { return ks.KeptnTx(tx.(*sqlite.Tx)), true }})
	res := withTx.Handle(ctx, triggered("a"))
	if res.Failed || res.Effect == nil || res.Status != 200 {
		t.Fatalf("result = %+v, want a success carrying an effect", res)
	}
	if n := finished("kc-a"); n != 0 {
		t.Fatalf("%d .finished before the outcome's transaction", n)
	}
	if err := db.Write(ctx, func(tx *sqlite.Tx) error { return res.Effect(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	// Run again (a retry after a crash), it finds its .finished there.
	if err := db.Write(ctx, func(tx *sqlite.Tx) error { return res.Effect(ctx, tx) }); !errors.Is(err, outbox.ErrAlreadyApplied) {
		t.Fatalf("second run: %v, want ErrAlreadyApplied", err)
	}
	if n := finished("kc-a"); n != 1 {
		t.Fatalf("%d .finished after the effect ran, want 1", n)
	}

	without := webhook.New(events, ks, nil, webhook.Options{Guard: guard, Log: log})
	if res := without.Handle(ctx, triggered("b")); res.Failed || res.Effect != nil {
		t.Fatalf("result = %+v, want a success without effect", res)
	}
	if n := finished("kc-b"); n != 1 {
		t.Fatalf("%d .finished, want 1 appended at once", n)
	}
}
