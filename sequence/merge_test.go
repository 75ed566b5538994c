package sequence

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

func TestMerge(t *testing.T) {
	earlier := map[string]any{
		"s": "a", "n": json.Number("1"), "b": true, "arr": []any{"x"},
		"m": map[string]any{"keep": 1, "over": "old"}, "typechange": map[string]any{"k": 1},
	}
	later := map[string]any{
		"s": "b", "n": json.Number("2"), "b": false, "arr": []any{"y"},
		"m": map[string]any{"over": "new", "add": 2}, "typechange": "scalar", "new": "v",
	}
	got := mergeMaps(earlier, later)
	want := map[string]any{
		"s": "b", "n": json.Number("2"), "b": false, "arr": []any{"y", "x"},
		"m": map[string]any{"keep": 1, "over": "new", "add": 2}, "typechange": "scalar", "new": "v",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("merge (-want +got):\n%s", d)
	}
	if earlier["s"] != "a" || earlier["m"].(map[string]any)["over"] != "old" {
		t.Errorf("merge modified its input: %v", earlier)
	}
}

func TestAggregate(t *testing.T) {
	fin := func(result, status string) keptn.TaskEvent {
		return keptn.TaskEvent{EventType: "sh.keptn.event.test.finished", Result: result, Status: status}
	}
	for _, tc := range []struct {
		events         []keptn.TaskEvent
		result, status string
	}{
		{[]keptn.TaskEvent{fin("pass", "succeeded")}, "pass", "succeeded"},
		{[]keptn.TaskEvent{fin("pass", "succeeded"), fin("warning", "succeeded")}, "warning", "succeeded"},
		{[]keptn.TaskEvent{fin("warning", "succeeded"), fin("fail", "succeeded")}, "fail", "succeeded"},
		{[]keptn.TaskEvent{fin("", "succeeded")}, "fail", "succeeded"},
		{[]keptn.TaskEvent{fin("pass", "errored"), fin("pass", "aborted")}, "pass", "errored"},
		{[]keptn.TaskEvent{fin("pass", "aborted")}, "pass", "aborted"},
		{[]keptn.TaskEvent{fin("pass", "")}, "fail", "unknown"},
		{[]keptn.TaskEvent{{EventType: "sh.keptn.event.test.started"}, fin("pass", "succeeded")}, "pass", "succeeded"},
	} {
		got := aggregate(tc.events)
		if got.Result != tc.result || got.Status != tc.status {
			t.Errorf("%+v: got %s/%s, want %s/%s", tc.events, got.Result, got.Status, tc.result, tc.status)
		}
	}
}
