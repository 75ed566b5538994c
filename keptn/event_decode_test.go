package keptn

import (
	"encoding/json"
	"reflect"
	"testing"
)

var plainEventSeeds = []struct {
	body  string
	plain bool // DecodePlainEvent takes it
}{
	{`{"type":"sh.keptn.event.bench.triggered","source":"baton-bench","data":{"project":"bench","stage":"dev","service":"svc","pad":"xxxx"}}`, true},
	{` {"specversion":"1.0","id":"0192d3c4-8f1e-7b2a-9c3d-4e5f6a7b8c9d","source":"https://github.com/keptn/keptn/cli#configuration-change","type":"sh.keptn.event.dev.delivery.triggered",
	   "time":"2026-12-01T20:45:13.000Z","datacontenttype":"application/json","shkeptncontext":"79a3b05a-0405-460d-a26e-7500d9ec2952","shkeptnspecversion":"0.2.4",
	   "data":{"project":"p","stage":"dev","service":"web","configurationChange":{"values":{"image":"ghcr.io/x:1.0"}},"labels":{"a":"b"}},"triggeredid":"","gitcommitid":"abc"} `, true},
	{`{"contenttype":"application/json","shkeptnversion":"v1","extensions":{"x":[1,2.5e3,true,null,"s\"q"]},"data":"text"}`, true},
	{`{}`, true},
	{`{"id":"a","id":"b","data":{"x":1},"data":[1, 2]}`, true}, // the last of a name wins
	{`{"data":{"s":"\u00e9\n","n":-0.5e-3}}`, true},            // escapes inside data are data's
	{`{"ID":"a"}`, false},                                      // another case: the decoder folds
	{`{"unknown":1}`, false},                                   // ignored by the decoder
	{`{"id":"a\"b"}`, false},                                   // an escape
	{`{"id":"\u0061"}`, false},                                 // an escape
	{`{"data":null}`, false},                                   // RawMessage and null
	{`{"id":null}`, false},                                     // null leaves the field
	{`{"id":5}`, false},                                        // a number for a string: an error
	{"{\"id\":\"\xff\"}", false},                               // invalid UTF-8 becomes U+FFFD
	{`[]`, false},                                              // not an object
	{`{"id":"a"} x`, false},                                    // data after the value
	{`{"id":"a",}`, false},                                     // invalid
	{`{"i\u0064":"a"}`, false},                                 // an escaped name
	{`{"source":"s","type":"t","data":{}}`, true},
}

// DecodePlainEvent decodes what clients send, and declines the rest.
func TestDecodePlainEvent(t *testing.T) {
	for _, c := range plainEventSeeds {
		var got Event
		if ok := DecodePlainEvent([]byte(c.body), &got); ok != c.plain {
			t.Errorf("%s: took it %v, want %v", c.body, ok, c.plain)
			continue
		}
		if !c.plain {
			if !reflect.DeepEqual(got, Event{}) {
				t.Errorf("%s: declined but filled %+v", c.body, got)
			}
			continue
		}
		var want Event
		if err := json.Unmarshal([]byte(c.body), &want); err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.body, got, want)
		}
	}
}

// FuzzDecodePlainEvent: whatever DecodePlainEvent takes, json.Unmarshal
// takes too and decodes the same; what it declines it leaves untouched.
func FuzzDecodePlainEvent(f *testing.F) {
	for _, c := range plainEventSeeds {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got Event
		if !DecodePlainEvent(body, &got) {
			if !reflect.DeepEqual(got, Event{}) {
				t.Fatalf("%q: declined but filled %+v", body, got)
			}
			return
		}
		var want Event
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("%q: taken, but json.Unmarshal: %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, got, want)
		}
	})
}

func BenchmarkDecodeEvent(b *testing.B) {
	body := []byte(plainEventSeeds[1].body)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			var ev Event
			if !DecodePlainEvent(body, &ev) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		for b.Loop() {
			var ev Event
			if err := json.Unmarshal(body, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
