package keptn_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/sqlite"
)

// bodyHook records what an EncodedEventHook is handed.
type bodyHook struct {
	bodies  map[string]string
	onEvent int
}

func (h *bodyHook) OnEvent(context.Context, keptn.Tx, *keptn.Event) error { h.onEvent++; return nil }

func (h *bodyHook) OnEncodedEvent(_ context.Context, _ keptn.Tx, ev *keptn.Event, body []byte) error {
	h.bodies[ev.ID] = string(body)
	return nil
}

// TestEncodedEventHookGetsTheStoredBody: a hook that wants the encoding
// gets the body stored for the event, whether it was ingested, appended or
// appended already encoded, and its OnEvent does not run.
func TestEncodedEventHookGetsTheStoredBody(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlite.NewKeptnStore(db)
	events := keptn.NewEvents(store, clock.Real{})
	h := &bodyHook{bodies: map[string]string{}}
	events.AddHook(h)
	ctx := context.Background()
	kc, err := events.Ingest(ctx, &keptn.Event{Type: "sh.keptn.event.x.triggered", Source: "test", Data: json.RawMessage(`{"project":"p", "n": 1}`)})
	if err != nil {
		t.Fatal(err)
	}
	appended, err := events.New("sh.keptn.event.x.started", "test", kc, "", map[string]any{"project": "p"})
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := events.New("sh.keptn.event.x.finished", "test", kc, "", map[string]any{"project": "p"})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(encoded)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Update(ctx, func(tx keptn.Tx) error {
		if err := events.Append(ctx, tx, appended); err != nil {
			return err
		}
		return events.AppendEncoded(ctx, tx, encoded, body)
	}); err != nil {
		t.Fatal(err)
	}
	stored, n, err := store.Events(ctx, keptn.EventFilter{KeptnContext: []string{kc}, Limit: 10})
	if err != nil || n != 3 {
		t.Fatalf("stored events: %d, %v", n, err)
	}
	for _, raw := range stored {
		var ev keptn.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if got := h.bodies[ev.ID]; got != string(raw) {
			t.Errorf("%s: hook got body\n%s\nstored\n%s", ev.Type, got, raw)
		}
	}
	if h.onEvent != 0 {
		t.Errorf("OnEvent ran %d times", h.onEvent)
	}
}
