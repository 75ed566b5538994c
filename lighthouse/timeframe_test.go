package lighthouse

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTimeframe(t *testing.T) {
	now := time.Date(2021, 1, 2, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		start, end, tf string
		from, to       string
		err            string
	}{
		{"", "", "", "2021-01-02T15:25:00.000Z", "2021-01-02T15:30:00.000Z", ""},
		{"", "", "1h", "2021-01-02T14:30:00.000Z", "2021-01-02T15:30:00.000Z", ""},
		{"2021-01-02T15:00:00", "", "10m", "2021-01-02T15:00:00.000Z", "2021-01-02T15:10:00.000Z", ""},
		{"2021-01-02T15:00:00.000Z", "2021-01-02T15:20:00Z", "", "2021-01-02T15:00:00.000Z", "2021-01-02T15:20:00.000Z", ""},
		{"2021-01-02T15:00:00", "2021-01-02T15:00:59", "", "", "", "at least 1 minute"},
		{"", "", "5 minutes", "", "", "could not parse provided timeframe"},
		{"yesterday", "", "5m", "", "", "not ISO 8601"},
		{"2021-01-02T15:00:00", "", "", "", "", "timeframe or end time"},
		{"", "2021-01-02T15:00:00", "", "", "", "cannot be set without start"},
	}
	for _, tc := range tests {
		from, to, err := Timeframe(tc.start, tc.end, tc.tf, now)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: err %v, want %q", tc, err, tc.err)
			}
			continue
		}
		if err != nil || FormatTime(from) != tc.from || FormatTime(to) != tc.to {
			t.Errorf("%+v: got %s %s %v", tc, FormatTime(from), FormatTime(to), err)
		}
	}
}

// TestTriggeredTimes reads an evaluation's timeframe from data.evaluation,
// else data.test, else refuses it, as lighthouse did.
func TestTriggeredTimes(t *testing.T) {
	now := time.Date(2021, 1, 2, 15, 30, 0, 0, time.UTC)
	for raw, want := range map[string]string{
		`{"evaluation":{"timeframe":"2m"}}`:                                            "2021-01-02T15:28:00.000Z 2021-01-02T15:30:00.000Z",
		`{"test":{"start":"a","end":"b"},"deployment":{"deploymentNames":["canary"]}}`: "a b",
		`{"evaluation":"wrong type","labels":{"a":1,"b":"x"}}`:                         "error: evaluation.triggered event does not contain evaluation timeframe",
	} {
		in := readTriggered(json.RawMessage(raw))
		start, end, err := in.times(now)
		got := start + " " + end
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", raw, got, want)
		}
	}
	if in := readTriggered(json.RawMessage(`{"labels":{"a":1,"b":"x"},"deployment":{"deploymentNames":["canary"]}}`)); len(in.Labels) != 1 || in.Deployments[0] != "canary" {
		t.Errorf("lenient read: %+v", in)
	}
}
