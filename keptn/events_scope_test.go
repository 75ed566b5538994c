package keptn

import (
	"encoding/json"
	"testing"

	"github.com/batonhq/baton/clock"
)

// An event New creates knows its scope without decoding its data, and the
// answer is the one decoding gives.
func TestNewEventScope(t *testing.T) {
	type name string
	s := NewEvents(nil, clock.Real{})
	for _, data := range []any{
		EventData{Project: "p", Stage: "dev", Service: "web", Result: ResultPass},
		EventData{},
		EventData{Project: "p\xff"},
		map[string]any{"project": "p", "stage": "dev", "service": "web", "x": 1},
		map[string]any{"project": "p<&>", "stage": nil},
		map[string]any{"project": 7, "stage": "dev"},
		map[string]any{"project": json.Number("7")},
		map[string]any{"project": name("p")},
		map[string]any{"service": "w\xffb"},
		map[string]any{},
		struct{ Project string }{"p"},
	} {
		ev, err := s.New("sh.keptn.event.dev.x.triggered", "test", "k", "", data)
		if err != nil {
			t.Fatal(err)
		}
		p, st, sv := ev.Scope()
		ev.scope = nil
		wp, wst, wsv := ev.Scope()
		if p != wp || st != wst || sv != wsv {
			t.Errorf("%#v: scope %q %q %q, decoding gives %q %q %q", data, p, st, sv, wp, wst, wsv)
		}
	}
}

// Ingest reads a posted event's scope with scopeOfValid, which needs valid
// JSON: data that is not is refused by the encoding before the scope is read
// (and before the store is asked).
func TestIngestRefusesInvalidData(t *testing.T) {
	s := NewEvents(nil, clock.Real{})
	for _, data := range []string{`{"project":`, `{"project":"p"} x`, `{"project":"p",}`, "{\"project\":\"p\"\x00}"} {
		ev := &Event{Type: "sh.keptn.event.x.triggered", Source: "test", Data: json.RawMessage(data)}
		if _, err := s.Ingest(t.Context(), ev); err == nil {
			t.Errorf("data %q: ingested", data)
		}
	}
}

// Append skips checking the data of an event New made only while its data
// is still the slice New marshalled and it has no extensions; data replaced
// afterwards is checked again (and invalid data refused by the encoding).
func TestAppendTrustsOnlyNewData(t *testing.T) {
	s := NewEvents(nil, clock.Real{})
	ev, err := s.New("sh.keptn.event.dev.x.triggered", "test", "k", "", EventData{Project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.validByNew() {
		t.Fatal("an event New made: data not known valid")
	}
	withExt := *ev
	withExt.Extensions = json.RawMessage(`{"a":`)
	if withExt.validByNew() {
		t.Error("an event with extensions: known valid")
	}
	ev.Data = json.RawMessage(`{"project":`)
	if ev.validByNew() {
		t.Fatal("replaced data: known valid")
	}
	if _, err := encodeEvent(ev, ev.validByNew()); err == nil {
		t.Error("invalid replaced data encoded")
	}
	ev.Data = nil
	if ev.validByNew() {
		t.Error("nil data: known valid")
	}
}
