package webhook

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/sqlite"
)

// TestStartedMadeAhead: an ingested task .triggered gets the .started its
// webhook sends made before the store's writer, stored with its body as
// made; one that no webhook sending a .started matches leaves nothing
// behind.
func TestStartedMadeAhead(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ks := sqlite.NewKeptnStore(db)
	events := keptn.NewEvents(ks, clock.Real{})
	guard, err := netguard.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(events, ks, nil, Options{Guard: guard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	// ahead sees, in the writer before the service, the .started made
	// ahead for each event.
	ahead := map[string]string{}
	events.AddHook(hookFunc(func(ev *keptn.Event) {
		s.started.mu.Lock()
		if m, ok := s.started.m[ev]; ok {
			ahead[ev.Type] = m.ev.ID
		}
		s.started.mu.Unlock()
	}))
	events.AddHook(s)
	hooks := `apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.t.triggered
      sendFinished: true
      requests:
        - {url: "http://example.com/call", method: POST}
`
	if err := ks.Update(ctx, func(tx keptn.Tx) error {
		if err := tx.CreateProject(&keptn.NewProject{Name: "p", Stages: []keptn.ProjectStage{{Name: "s"}}, Created: time.Now()}); err != nil {
			return err
		}
		return tx.PutResources(keptn.ResourceKey{Project: "p"}, []keptn.Resource{{URI: ConfigURI, Content: []byte(hooks)}}, "r1", time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	ingest := func(typ string) string {
		t.Helper()
		kc, err := events.Ingest(ctx, &keptn.Event{Type: typ, Source: "test", Data: json.RawMessage(`{"project":"p","stage":"s","service":"svc","labels":{"a":"b"}}`)})
		if err != nil {
			t.Fatal(err)
		}
		return kc
	}
	started := func(kc, typ string) []json.RawMessage {
		t.Helper()
		out, _, err := ks.Events(ctx, keptn.EventFilter{KeptnContext: []string{kc}, Type: typ, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	kc := ingest("sh.keptn.event.t.triggered")
	got := started(kc, "sh.keptn.event.t.started")
	if len(got) != 1 {
		t.Fatalf("%d .started, want 1", len(got))
	}
	var st, tr keptn.Event
	json.Unmarshal(got[0], &st)
	json.Unmarshal(started(kc, "sh.keptn.event.t.triggered")[0], &tr)
	if ahead[tr.Type] == "" || st.ID != ahead[tr.Type] {
		t.Errorf(".started %s is not the one made ahead (%q)", st.ID, ahead[tr.Type])
	}
	if st.TriggeredID != tr.ID || st.Source != Source || st.Shkeptncontext != kc || st.Time < tr.Time {
		t.Errorf(".started = %+v for .triggered %+v", st, tr)
	}
	if d, _ := st.ParsedData(); d.Project != "p" || d.Stage != "s" || d.Service != "svc" || d.Labels["a"] != "b" {
		t.Errorf(".started data = %s", st.Data)
	}
	// No webhook of this task: its .started made ahead is dropped.
	kc = ingest("sh.keptn.event.other.triggered")
	if got := started(kc, "sh.keptn.event.other.started"); len(got) != 0 {
		t.Errorf("%d .started for a task no webhook runs", len(got))
	}
	s.started.mu.Lock()
	left := len(s.started.m)
	s.started.mu.Unlock()
	if left != 0 {
		t.Errorf("%d .started made ahead left behind", left)
	}
}

// hookFunc is a keptn.EventHook that calls f.
type hookFunc func(ev *keptn.Event)

func (f hookFunc) OnEvent(_ context.Context, _ keptn.Tx, ev *keptn.Event) error {
	f(ev)
	return nil
}
