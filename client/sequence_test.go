package client_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/batonhq/baton/client"
)

// A decoded state encodes back with every field the server sent; Failed
// decides the exit code of "baton trigger --watch".
func TestSequenceState(t *testing.T) {
	const raw = `{"name":"delivery","state":"finished","result":"warning","time":"2026-03-01T12:00:00.000Z",` +
		`"endTime":"2026-03-01T12:00:02.500Z","problemTitle":"p","stages":[{"name":"dev","state":"finished","latestEvaluation":{"score":70}}]}`
	var s client.SequenceState
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	if b, err := json.Marshal([]client.SequenceState{s}); err != nil || string(b) != "["+raw+"]" {
		t.Errorf("re-encoded %s (%v), want the server's JSON", b, err)
	}
	if d, ok := s.Duration(time.Now()); !ok || d != 2500*time.Millisecond {
		t.Errorf("duration %v %v", d, ok)
	}
	for _, tc := range []struct {
		state, result string
		failed        bool
	}{
		{"finished", "pass", false}, {"finished", "warning", false}, {"finished", "fail", true},
		{"aborted", "pass", true}, {"timedOut", "fail", true},
	} {
		if got := (client.SequenceState{State: tc.state, Result: tc.result}).Failed(); got != tc.failed {
			t.Errorf("%s/%s: Failed() = %v", tc.state, tc.result, got)
		}
	}
}
