package webhook

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// TestEventMapIsTheDecodedEncoding: eventMap builds what decoding the
// event's encoding gives, for every field of keptn.Event (set through
// reflection, so a field added to keptn.Event fails here until eventMap
// knows it), with omitted fields, and refuses what would not round-trip.
func TestEventMapIsTheDecodedEncoding(t *testing.T) {
	full := keptn.Event{}
	v := reflect.ValueOf(&full).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		switch fv := v.Field(i); fv.Interface().(type) {
		case string:
			fv.SetString("v" + strconv.Itoa(i) + " é <&>")
		case json.RawMessage:
			fv.SetBytes([]byte(`{"n": 1.5, "s": "x", "l": [1, "a", null], "o": {"p": true}}`))
		default:
			t.Fatalf("keptn.Event.%s has type %s: teach eventMap and this test", f.Name, f.Type)
		}
	}
	for name, ev := range map[string]keptn.Event{
		"every field": full,
		"omitted":     {ID: "i", Type: "t", Shkeptncontext: "kc", Data: json.RawMessage(`{"project":"p"}`)},
		"no data":     {ID: "i"},
		"empty data":  {ID: "i", Data: json.RawMessage(`{}`), Extensions: json.RawMessage(`[]`)},
	} {
		enc, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(enc, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := eventMap(&ev)
		if !ok {
			t.Fatalf("%s: eventMap refused", name)
		}
		if d := cmp.Diff(got, want); d != "" {
			t.Errorf("%s: (-got +want)\n%s", name, d)
		}
	}
	bad := keptn.Event{ID: "i", Source: "bad \xff utf-8", Data: json.RawMessage(`{}`)}
	if _, ok := eventMap(&bad); ok {
		t.Error("eventMap took a string that encoding changes")
	}
}

// TestJobCache: a cached job is the one its payload decodes to; it is
// taken once, only for the same payload, and the cache stays bounded.
func TestJobCache(t *testing.T) {
	s := &Service{}
	hs, err := s.hooksOf([]byte(`apiVersion: webhookconfig.keptn.sh/v1beta1
kind: WebhookConfig
spec:
  webhooks:
    - type: sh.keptn.event.deploy.triggered
      sendFinished: true
      requests:
        - {url: "http://x/{{.id}}", method: POST, headers: [{key: k, value: v}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	ev := &keptn.Event{SpecVersion: "1.0", ID: "e1", Type: "sh.keptn.event.deploy.triggered", Shkeptncontext: "kc", GitCommitID: "abc",
		Data: json.RawMessage(`{"project":"p","stage":"s","service":"svc","labels":{"a":"b","n":1},"deploy":{"x":1.5}}`)}
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	payload := jobPayload(body, hs[0].enc, "deploy")
	var c jobCache
	c.put("e1-0", payload, ev, &hs[0], "deploy")
	ev.Shkeptncontext = "changed later" // the cache holds its own copy
	if got := c.take("e1-0", append([]byte(nil), payload[:len(payload)-1]...)); got != nil {
		t.Fatal("taken for another payload")
	}
	c.put("e1-0", payload, &keptn.Event{SpecVersion: "1.0", ID: "e1", Type: "sh.keptn.event.deploy.triggered", Shkeptncontext: "kc", GitCommitID: "abc",
		Data: json.RawMessage(`{"project":"p","stage":"s","service":"svc","labels":{"a":"b","n":1},"deploy":{"x":1.5}}`)}, &hs[0], "deploy")
	cj := c.take("e1-0", payload)
	if cj == nil {
		t.Fatal("not taken")
	}
	got, ok := cj.job()
	if !ok {
		t.Fatal("cached job refused")
	}
	want, err := decodeJob(payload)
	if err != nil {
		t.Fatal(err)
	}
	want.Raw = nil
	if d := cmp.Diff(got, want, cmp.AllowUnexported(job{})); d != "" {
		t.Fatalf("(-got +want)\n%s", d)
	}
	if c.take("e1-0", payload) != nil {
		t.Fatal("taken twice")
	}
	for i := range 3 * jobCacheGen {
		c.put(strconv.Itoa(i), payload, ev, &hs[0], "")
	}
	if n := len(c.cur) + len(c.old); n > 2*jobCacheGen {
		t.Fatalf("%d jobs cached", n)
	}
	if c.take("0", payload) != nil {
		t.Fatal("the oldest job was not dropped")
	}
	if c.take(strconv.Itoa(3*jobCacheGen-1), payload) == nil {
		t.Fatal("the newest job was dropped")
	}
}

// TestStartedDataIsTheCommonData: a .started's data encodes as the map of
// the triggering event's project, stage, service and labels (as ParsedData
// reads them) did, whether or not its data is decoded again.
func TestStartedDataIsTheCommonData(t *testing.T) {
	for _, data := range []string{
		`{"project":"p","stage":"s","service":"svc"}`,
		`{"project":"p","stage":"s","service":"svc","labels":{"b":"2","a":"1"},"deploy":{"x":1}}`,
		`{"project":"p","labels":{}}`,
		`{"project":1,"stage":["s"],"service":null}`,
		`{"project":"p","lab\u0065ls":{"a":"1"}}`,
		`{"pro\u006aect":"p"}`,
		`{}`,
		``,
		`not json`,
	} {
		ev := &keptn.Event{Data: json.RawMessage(data)}
		d, _ := ev.ParsedData()
		old := map[string]any{"project": d.Project, "stage": d.Stage, "service": d.Service}
		if len(d.Labels) > 0 {
			old["labels"] = d.Labels
		}
		want, err := json.Marshal(old)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(commonData(ev))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("data %s: got %s, want %s", data, got, want)
		}
	}
}
