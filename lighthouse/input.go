package lighthouse

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/batonhq/baton/keptn"
)

// evalInput is what the evaluator reads from an evaluation.triggered event,
// leniently: fields of the wrong type are treated as absent, because the
// event's data is whatever earlier tasks of the sequence merged into it.
type evalInput struct {
	keptn.EventData
	Start, End, Timeframe string // data.evaluation
	TestStart, TestEnd    string // data.test
	Deployments           []string
}

func readTriggered(raw json.RawMessage) evalInput {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	in := evalInput{EventData: keptn.EventData{
		Project: str(m, "project"), Stage: str(m, "stage"), Service: str(m, "service"), Labels: labels(m)}}
	ev, _ := m["evaluation"].(map[string]any)
	in.Start, in.End, in.Timeframe = str(ev, "start"), str(ev, "end"), str(ev, "timeframe")
	test, _ := m["test"].(map[string]any)
	in.TestStart, in.TestEnd = str(test, "start"), str(test, "end")
	dep, _ := m["deployment"].(map[string]any)
	names, _ := dep["deploymentNames"].([]any)
	for _, n := range names {
		if s, ok := n.(string); ok {
			in.Deployments = append(in.Deployments, s)
		}
	}
	return in
}

// times is the evaluation's timeframe as Keptn's lighthouse chose it:
// data.evaluation (start and end, or a timeframe), else data.test's start
// and end as given.
func (in evalInput) times(now time.Time) (start, end string, err error) {
	if (in.Start != "" && in.End != "") || in.Timeframe != "" {
		from, to, err := Timeframe(in.Start, in.End, in.Timeframe, now)
		if err != nil {
			return "", "", err
		}
		return FormatTime(from), FormatTime(to), nil
	}
	if in.TestStart != "" && in.TestEnd != "" {
		return in.TestStart, in.TestEnd, nil
	}
	return "", "", errors.New("evaluation.triggered event does not contain evaluation timeframe")
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func labels(m map[string]any) map[string]string {
	raw, _ := m["labels"].(map[string]any)
	if len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
