package keptn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
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

func TestDerivedID(t *testing.T) {
	at := time.Date(2026, 12, 1, 17, 30, 0, 123e6, time.UTC)
	a := DerivedID(at, []byte("baton:webhook:k:finished:0"))
	if again := DerivedID(at, []byte("baton:webhook:k:finished:0")); again != a {
		t.Fatalf("not stable: %s, then %s", a, again)
	}
	u, err := uuid.Parse(a)
	if err != nil || u.Version() != 8 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("%s: version %d, variant %v, %v; want an RFC 9562 UUIDv8", a, u.Version(), u.Variant(), err)
	}
	var ms int64
	for _, b := range u[:6] {
		ms = ms<<8 | int64(b)
	}
	if ms != at.UnixMilli() {
		t.Fatalf("%s carries %d ms, want %d", a, ms, at.UnixMilli())
	}
	if b := DerivedID(at, []byte("baton:webhook:k:finished:1")); b == a || b[:13] != a[:13] {
		t.Fatalf("another name at the same time: %s and %s; want the same time prefix and a different id", a, b)
	}
	// Ids sort by their time, as NewID's do: index inserts append.
	prev := ""
	for i := range 100 {
		id := DerivedID(at.Add(time.Duration(i)*time.Millisecond), fmt.Appendf(nil, "n%d", 99-i))
		if id <= prev {
			t.Fatalf("%s after %s: derived ids must sort by time", id, prev)
		}
		prev = id
	}
	if id := DerivedID(time.Time{}, []byte("x")); !strings.HasPrefix(id, "00000000-0000-8") {
		t.Fatalf("a zero time: %s", id)
	}
}

// The stores keep client events under ClientEventKey and their migrations
// compute it in SQL: its format must not change (`printf 'cli\0e1' |
// sha256sum`, first 32 hex digits).
func TestClientEventKey(t *testing.T) {
	if got := fmt.Sprintf("%x", ClientEventKey("cli", "e1")); got != "c32b92459b8036248de7181fb33929b2" {
		t.Errorf("ClientEventKey(cli, e1) = %s", got)
	}
	if bytes.Equal(ClientEventKey("cli", "e1"), ClientEventKey("cl", "ie1")) {
		t.Error("source and id are not kept apart")
	}
}
