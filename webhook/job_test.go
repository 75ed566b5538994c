package webhook

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/batonhq/baton/keptn"
)

// TestJobPayloadIsTheJobsJSON: the payload OnEvent writes by hand is the
// JSON encoding of the job (as json.Marshal would write it), and Handle
// reads back the event's fields, its common data and the webhook.
func TestJobPayloadIsTheJobsJSON(t *testing.T) {
	ev := &keptn.Event{ID: "e1", Type: "sh.keptn.event.deploy.triggered", Shkeptncontext: "kc", GitCommitID: "abc",
		Data: json.RawMessage(`{"project":"p","stage":"s","service":"svc","labels":{"a":"b","n":1},"deploy":{"x":1.5}}`)}
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	w := Webhook{Type: "sh.keptn.event.deploy.triggered", SendFinished: true,
		Requests: []Request{{Method: "POST", URL: "http://x/{{.id}}", Headers: []Header{{Key: "k", Value: "v"}}}}}
	enc, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range []string{"", "deploy", "we\"ird\x01 \u2028task"} {
		got := jobPayload(body, enc, task)
		want, err := json.Marshal(struct {
			Event   json.RawMessage `json:"event"`
			Webhook Webhook         `json:"webhook"`
			Task    string          `json:"task,omitempty"`
		}{body, w, task})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("task %q:\n got %s\nwant %s", task, got, want)
		}
		j, err := decodeJob(got)
		if err != nil {
			t.Fatal(err)
		}
		if j.Task != task || !reflect.DeepEqual(j.Webhook, w) {
			t.Fatalf("decoded task %q webhook %+v", j.Task, j.Webhook)
		}
		if e := j.event(); e.ID != "e1" || e.Shkeptncontext != "kc" || e.GitCommitID != "abc" {
			t.Fatalf("event fields %+v", e)
		}
		wantData := map[string]any{"project": "p", "stage": "s", "service": "svc", "labels": map[string]string{"a": "b"}}
		if d := j.commonData(); !reflect.DeepEqual(d, wantData) {
			t.Fatalf("common data %v, want %v", d, wantData)
		}
		if x := j.Event["data"].(map[string]any)["deploy"].(map[string]any)["x"]; x != 1.5 {
			t.Fatalf("template data deploy.x = %v", x)
		}
	}
}
