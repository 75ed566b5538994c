package keptn

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// checkEncodeEvent compares encodeEvent with json.Marshal: unchecked, and
// told the data is valid when it is (as a decoder leaves it).
func checkEncodeEvent(t *testing.T, ev *Event) {
	t.Helper()
	want, werr := json.Marshal(ev)
	valid := (ev.Data == nil || json.Valid(ev.Data)) && (len(ev.Extensions) == 0 || json.Valid(ev.Extensions))
	for _, v := range []bool{false, valid} {
		got, err := encodeEvent(ev, v)
		if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
			t.Errorf("encodeEvent(%+v, %v) = %s, %v; json.Marshal gives %s, %v", ev, v, got, err, want, werr)
		}
	}
}

func TestEncodeEvent(t *testing.T) {
	full := Event{SpecVersion: "1.0", ID: "0193a4b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b", Source: "https://x/y?a=b", Type: "sh.keptn.event.dev.delivery.triggered",
		Time: "2026-12-01T16:45:07.123Z", ContentType: "application/json", DataContentType: "application/json",
		Data: json.RawMessage(`{"project":"p","n":[1,2.5e3,null,true],"o":{"s":"a b\"c"}}`), Shkeptncontext: "k", TriggeredID: "t",
		GitCommitID: "g", ShkeptnSpecVersion: "0.2.4", ShkeptnVersion: "1.0", Extensions: json.RawMessage(`{"x":1}`)}
	checkEncodeEvent(t, &full)
	for _, data := range []string{"", "{}", " {}", "{} ", `{"a": 1}`, `{"a":"<b>"}`, `{"a":"&"}`, "{\"a\":\"\u2028\"}", "{\"a\":\"\u2029x\"}",
		"{\"a\":\"\xe2\x80\"}", "{\"a\":\"\xff\"}", `{"a":"\u003c"}`, `{"a":`, `{"a":1}x`, `[1]`, `"s"`, `null`, "{\"a\":\"\t\"}"} {
		ev := full
		ev.Data = json.RawMessage(data)
		checkEncodeEvent(t, &ev)
		ev.Data, ev.Extensions = json.RawMessage(`{}`), json.RawMessage(data)
		checkEncodeEvent(t, &ev)
	}
	for _, s := range []string{"", "a<b", "a>b", "a&b", "q\"", "b\\", "tab\t", "\x7f", "é", "\xff", "\u2028"} {
		ev := full
		ev.Source, ev.TriggeredID = s, s
		checkEncodeEvent(t, &ev)
	}
	checkEncodeEvent(t, &Event{})
	checkEncodeEvent(t, &Event{Data: json.RawMessage{}})
}

// encodeEvent knows every field of Event: one added must be added there too
// (and to FuzzEncodeEvent).
func TestEncodeEventKnowsEveryField(t *testing.T) {
	n := 0
	for f := range reflect.TypeFor[Event]().Fields() {
		if f.IsExported() {
			n++
		}
	}
	if n != 14 {
		t.Errorf("Event has %d exported fields; encodeEvent writes 14", n)
	}
}

func FuzzEncodeEvent(f *testing.F) {
	f.Add("1.0", "id", "src", "sh.keptn.event.a.triggered", "", "k", "", []byte(`{"project":"p"}`), []byte(nil))
	f.Add("", "<", "&", ">", "application/json", "\u2028", "\xff", []byte(` {"a" : "b"}`), []byte(`{"x":[1, 2]}`))
	f.Fuzz(func(t *testing.T, spec, id, source, typ, ct, kc, trig string, data, ext []byte) {
		checkEncodeEvent(t, &Event{SpecVersion: spec, ID: id, Source: source, Type: typ, Time: spec + id, ContentType: ct,
			DataContentType: trig, Data: data, Shkeptncontext: kc, TriggeredID: trig, GitCommitID: id,
			ShkeptnSpecVersion: source, ShkeptnVersion: typ, Extensions: ext})
	})
}

func BenchmarkEncodeEvent(b *testing.B) {
	ev := &Event{SpecVersion: "1.0", ID: "0193a4b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b", Source: "baton-bench", Type: "sh.keptn.event.bench.triggered",
		Time: "2026-12-01T16:45:07.123Z", ContentType: "application/json", Shkeptncontext: "0193a4b2-1c2d-7e3f-8a9b-0c1d2e3f4a5c",
		Data: json.RawMessage(`{"project":"bench","stage":"dev","service":"svc","pad":"` + string(bytes.Repeat([]byte("x"), 156)) + `"}`)}
	b.Run("encodeEvent", func(b *testing.B) {
		for b.Loop() {
			_, _ = encodeEvent(ev, false)
		}
	})
	b.Run("encodeEvent-decoded", func(b *testing.B) {
		for b.Loop() {
			_, _ = encodeEvent(ev, true)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(ev)
		}
	})
}
