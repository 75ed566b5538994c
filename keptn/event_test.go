package keptn

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodedData(t *testing.T) {
	want := map[string]any{"project": "p", "n": json.Number("12345678901234567890")}
	newEvent := func() *Event { return &Event{Data: json.RawMessage(`{"project":"p","n":12345678901234567890}`)} }

	t.Run("unprepared", func(t *testing.T) {
		if diff := cmp.Diff(newEvent().DecodedData(), want); diff != "" {
			t.Errorf("(-got +want)\n%s", diff)
		}
	})
	t.Run("prepared map is handed out once", func(t *testing.T) {
		ev := newEvent()
		ev.PrepareDecodedData()
		first := ev.DecodedData()
		first["project"] = "changed by its owner"
		if diff := cmp.Diff(ev.DecodedData(), want); diff != "" {
			t.Errorf("second call: (-got +want)\n%s", diff)
		}
	})
	t.Run("a copy of the event does not get the map again", func(t *testing.T) {
		ev := newEvent()
		ev.PrepareDecodedData()
		cp := *ev
		ev.DecodedData()["project"] = "changed by its owner"
		if diff := cmp.Diff(cp.DecodedData(), want); diff != "" {
			t.Errorf("copy: (-got +want)\n%s", diff)
		}
	})
	t.Run("replaced data is decoded again", func(t *testing.T) {
		ev := newEvent()
		ev.PrepareDecodedData()
		ev.Data = json.RawMessage(`{"project":"q"}`)
		if diff := cmp.Diff(ev.DecodedData(), map[string]any{"project": "q"}); diff != "" {
			t.Errorf("(-got +want)\n%s", diff)
		}
	})
	t.Run("not an object", func(t *testing.T) {
		for _, raw := range []string{``, `[1]`, `null`, `{`} {
			ev := &Event{Data: json.RawMessage(raw)}
			ev.PrepareDecodedData()
			if got := ev.DecodedData(); len(got) != 0 || got == nil {
				t.Errorf("data %q: got %v, want an empty map", raw, got)
			}
		}
	})
}
