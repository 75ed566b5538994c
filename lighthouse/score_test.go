package lighthouse

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

const (
	tStart = "2019-10-20T07:57:27.152330783Z"
	tEnd   = "2019-10-22T08:57:27.152330783Z"
)

var scope0 = keptn.EventData{Project: "sockshop", Stage: "dev", Service: "carts"}

func val(metric string, v float64) *SLIResult {
	return &SLIResult{Metric: metric, Value: v, Success: true}
}

func sets(criteria ...[]string) []*Criteria {
	out := make([]*Criteria, len(criteria))
	for i, c := range criteria {
		out[i] = &Criteria{Criteria: c}
	}
	return out
}

func prevEval(id string, values ...*SLIResult) Previous {
	p := Previous{ID: id}
	for _, v := range values {
		p.Data.Evaluation.IndicatorResults = append(p.Data.Evaluation.IndicatorResults, &IndicatorResult{Value: v, Status: "pass"})
	}
	return p
}

func slo(cmpWith string, n int, fn string, pass, warn string, objs ...*Objective) *SLO {
	s := &SLO{Objectives: objs, TotalScore: &TotalScore{Pass: pass, Warning: warn}}
	if cmpWith != "" {
		s.Comparison = &Comparison{CompareWith: cmpWith, IncludeResultWithScore: "pass", NumberOfComparisonResults: n, AggregateFunction: fn}
	}
	s.defaults()
	return s
}

func input(s *SLO, values []*SLIResult, prev ...Previous) Input {
	return Input{Scope: scope0, SLO: s, SLORaw: []byte("slo"), Previous: prev,
		SLI: GetSLIFinishedData{EventData: keptn.EventData{Result: "pass", Status: "succeeded"}, GetSLI: GetSLIFinished{Start: tStart, End: tEnd, IndicatorValues: values}}}
}

// outcome builds the expected evaluation.finished data.
func outcome(result, msg string, score float64, ids []string, results ...*IndicatorResult) Outcome {
	return Outcome{
		EventData: keptn.EventData{Project: "sockshop", Stage: "dev", Service: "carts", Status: "succeeded", Result: result, Message: msg},
		Evaluation: Details{TimeStart: tStart, TimeEnd: tEnd, Result: result, Score: score, ComparedEvents: ids,
			SLOFileContent: base64.StdEncoding.EncodeToString([]byte("slo")), IndicatorResults: results},
	}
}

func tgt(c string, v float64, violated bool) *SLITarget {
	return &SLITarget{Criteria: c, TargetValue: v, Violated: violated}
}

// TestScore mirrors lighthouse's TestEvaluateObjectives and TestCalculateScore
// cases, end to end through the total score.
func TestScore(t *testing.T) {
	metric1 := func(pass, warn []*Criteria) *Objective {
		return &Objective{SLI: "my-test-metric-1", Pass: pass, Warning: warn, Weight: 1}
	}
	simplePass := sets([]string{"<=15.0"}, []string{"<=+10%"})
	simpleWarn := sets([]string{"<=20.0"}, []string{"<=+15%"})
	tests := []struct {
		name string
		in   Input
		want Outcome
	}{{
		name: "simple comparison evaluation",
		in:   input(slo("several_results", 2, "avg", "90%", "75%", metric1(simplePass, simpleWarn)), []*SLIResult{val("my-test-metric-1", 10)}, prevEval("e1", val("my-test-metric-1", 10))),
		want: outcome("pass", "", 100, []string{"e1"}, &IndicatorResult{Score: 1, Status: "pass",
			Value:          &SLIResult{Metric: "my-test-metric-1", Value: 10, ComparedValue: 10, Success: true},
			PassTargets:    []*SLITarget{tgt("<=15.0", 15, false), tgt("<=+10%", 11, false)},
			WarningTargets: []*SLITarget{tgt("<=20.0", 20, false), tgt("<=+15%", 11.5, false)}}),
	}, {
		name: "warning band: half the weight, total below the warning threshold fails",
		in:   input(slo("several_results", 2, "avg", "90%", "75%", metric1(simplePass, simpleWarn)), []*SLIResult{val("my-test-metric-1", 16)}, prevEval("e1", val("my-test-metric-1", 10))),
		want: outcome("fail", "Evaluation failed since the calculated score of 50 is below the warning value of 75", 50, []string{"e1"},
			&IndicatorResult{Score: 0.5, Status: "warning",
				Value:          &SLIResult{Metric: "my-test-metric-1", Value: 16, ComparedValue: 10, Success: true},
				PassTargets:    []*SLITarget{tgt("<=15.0", 15, true), tgt("<=+10%", 11, true)},
				WarningTargets: []*SLITarget{tgt("<=20.0", 20, false), tgt("<=+15%", 11.5, true)}}),
	}, {
		name: "warning total",
		in:   input(slo("several_results", 2, "avg", "90%", "50%", metric1(simplePass, simpleWarn)), []*SLIResult{val("my-test-metric-1", 16)}, prevEval("e1", val("my-test-metric-1", 10))),
		want: outcome("warning", "Evaluation returned a warning: the calculated score of 50 is close to the warning target value of 50", 50, []string{"e1"},
			&IndicatorResult{Score: 0.5, Status: "warning",
				Value:          &SLIResult{Metric: "my-test-metric-1", Value: 16, ComparedValue: 10, Success: true},
				PassTargets:    []*SLITarget{tgt("<=15.0", 15, true), tgt("<=+10%", 11, true)},
				WarningTargets: []*SLITarget{tgt("<=20.0", 20, false), tgt("<=+15%", 11.5, true)}}),
	}, {
		name: "BUG 1125: all criteria of a set must hold; no comparison data yet",
		in: input(slo("several_results", 2, "avg", "90%", "75%", &Objective{SLI: "response_time_p50", Pass: sets([]string{"<=+20%", "<500"}), Weight: 1}),
			[]*SLIResult{val("response_time_p50", 1011.0745528937252)}),
		want: outcome("fail", "Evaluation failed since the calculated score of 0 is below the warning value of 75", 0, nil,
			&IndicatorResult{Status: "fail", Value: val("response_time_p50", 1011.0745528937252),
				PassTargets: []*SLITarget{tgt("<=+20%", 0, false), tgt("<500", 500, true)}}),
	}, {
		name: "BUG 1263: an earlier failed value is no comparison data",
		in: input(slo("single_result", 1, "avg", "90%", "75%", &Objective{SLI: "response_time_p50", Pass: sets([]string{"<=+20%"}), Weight: 1}),
			[]*SLIResult{val("response_time_p50", 100)}, prevEval("e1", &SLIResult{Metric: "response_time_p50"})),
		want: outcome("pass", "", 100, []string{"e1"},
			&IndicatorResult{Score: 1, Status: "pass", Value: val("response_time_p50", 100), PassTargets: []*SLITarget{tgt("<=+20%", 0, false)}}),
	}, {
		name: "info objective without pass criteria does not count",
		in: input(slo("single_result", 1, "avg", "90%", "75%",
			&Objective{SLI: "rt", Pass: sets([]string{"<600"}), Weight: 1},
			&Objective{SLI: "error_rate", Weight: 1}),
			[]*SLIResult{val("rt", 200), val("error_rate", 5)}),
		want: outcome("pass", "", 100, nil,
			&IndicatorResult{Score: 1, Status: "pass", Value: val("rt", 200), PassTargets: []*SLITarget{tgt("<600", 600, false)}},
			&IndicatorResult{Status: "info", Value: val("error_rate", 5), PassTargets: []*SLITarget{}, WarningTargets: []*SLITarget{}}),
	}, {
		name: "weights",
		in: input(slo("single_result", 1, "avg", "90%", "60%",
			&Objective{SLI: "a", Pass: sets([]string{"<10"}), Weight: 2},
			&Objective{SLI: "b", Pass: sets([]string{"<10"}), Weight: 1}),
			[]*SLIResult{val("a", 1), val("b", 11)}),
		want: outcome("warning", "Evaluation returned a warning: the calculated score of 66.66666666666667 is close to the warning target value of 60", 66.66666666666667, nil,
			&IndicatorResult{Score: 2, Status: "pass", Value: val("a", 1), PassTargets: []*SLITarget{tgt("<10", 10, false)}},
			&IndicatorResult{Status: "fail", Value: val("b", 11), PassTargets: []*SLITarget{tgt("<10", 10, true)}}),
	}, {
		name: "a failed key SLI fails a passing score",
		in: input(slo("single_result", 1, "avg", "70%", "",
			&Objective{SLI: "a", DisplayName: "Response time", Pass: sets([]string{"<10"}), Weight: 1, KeySLI: true},
			&Objective{SLI: "b", Pass: sets([]string{"<10"}), Weight: 3}),
			[]*SLIResult{val("a", 11), val("b", 1)}),
		want: outcome("fail", "Evaluation failed due to key_sli objective 'Response time': failed evaluation with score 0.000000", 75, nil,
			&IndicatorResult{Status: "fail", DisplayName: "Response time", KeySLI: true, Value: val("a", 11), PassTargets: []*SLITarget{tgt("<10", 10, true)}},
			&IndicatorResult{Score: 3, Status: "pass", Value: val("b", 1), PassTargets: []*SLITarget{tgt("<10", 10, false)}}),
	}, {
		name: "a missing key SLI value fails with the provider's message",
		in: input(slo("single_result", 1, "avg", "50%", "",
			&Objective{SLI: "a", DisplayName: "A", Pass: sets([]string{"<10"}, []string{"<=+5%"}), Weight: 1, KeySLI: true},
			&Objective{SLI: "b", Pass: sets([]string{"<10"}), Weight: 1}),
			[]*SLIResult{val("b", 1)}, prevEval("e1", val("a", 8))),
		want: outcome("fail", "Evaluation failed due to key_sli objective 'A': no value received from SLI provider", 50, []string{"e1"},
			&IndicatorResult{Status: "fail", DisplayName: "A", Value: &SLIResult{Metric: "a", Message: "no value received from SLI provider"},
				PassTargets: []*SLITarget{tgt("<10", 10, true), tgt("<=+5%", 8, true)}, WarningTargets: []*SLITarget{}},
			&IndicatorResult{Score: 1, Status: "pass", Value: val("b", 1), PassTargets: []*SLITarget{tgt("<10", 10, false)}}),
	}, {
		name: "relative decrease and several results",
		in: input(slo("several_results", 3, "avg", "90%", "",
			&Objective{SLI: "throughput", Pass: sets([]string{">=-5%"}), Weight: 1}),
			[]*SLIResult{val("throughput", 94)}, prevEval("e1", val("throughput", 90)), prevEval("e2", val("throughput", 100)), prevEval("e3", val("throughput", 110))),
		want: outcome("fail", "Evaluation failed since the calculated score of 0 is below the target value of 90", 0, []string{"e1", "e2", "e3"},
			&IndicatorResult{Status: "fail", Value: &SLIResult{Metric: "throughput", Value: 94, ComparedValue: 100, Success: true},
				PassTargets: []*SLITarget{tgt(">=-5%", 95, true)}}),
	}, {
		name: "absolute relative criterion",
		in: input(slo("single_result", 1, "avg", "90%", "",
			&Objective{SLI: "rt", Pass: sets([]string{"<=+50"}), Weight: 1}),
			[]*SLIResult{val("rt", 150)}, prevEval("e1", val("rt", 100))),
		want: outcome("pass", "", 100, []string{"e1"},
			&IndicatorResult{Score: 1, Status: "pass", Value: &SLIResult{Metric: "rt", Value: 150, ComparedValue: 100, Success: true},
				PassTargets: []*SLITarget{tgt("<=+50", 150, false)}}),
	}, {
		name: "a zero baseline makes any increase a violation",
		in: input(slo("single_result", 1, "avg", "90%", "",
			&Objective{SLI: "errors", Pass: sets([]string{"<=+10%"}), Weight: 1}),
			[]*SLIResult{val("errors", 5)}, prevEval("e1", val("errors", 0))),
		want: outcome("fail", "Evaluation failed since the calculated score of 0 is below the target value of 90", 0, []string{"e1"},
			&IndicatorResult{Status: "fail", Value: val("errors", 5), PassTargets: []*SLITarget{tgt("<=+10%", 0, true)}}),
	}, {
		name: "6096: unrequested values are listed in the message",
		in: input(slo("single_result", 1, "avg", "90%", "",
			&Objective{SLI: "rt", Pass: sets([]string{"<600"}), Weight: 1}),
			[]*SLIResult{val("extra1", 1), val("rt", 1), val("extra2", 2)}),
		want: outcome("pass", "Lighthouse received additional SLIs, which are not specified as SLO: extra1, extra2 . Please consider using them as an SLO.", 100, nil,
			&IndicatorResult{Score: 1, Status: "pass", Value: val("rt", 1), PassTargets: []*SLITarget{tgt("<600", 600, false)}}),
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Score(tc.in)
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

// TestScoreAggregateFunctions checks the threshold of a relative criterion
// under each aggregate function over several results.
func TestScoreAggregateFunctions(t *testing.T) {
	prev := []Previous{prevEval("e1", val("rt", 40)), prevEval("e2", val("rt", 10)), prevEval("e3", val("rt", 30)), prevEval("e4", val("rt", 20))}
	for fn, base := range map[string]float64{"avg": 25, "p50": 25, "p90": 40, "p95": 40} {
		s := slo("several_results", 4, fn, "90%", "", &Objective{SLI: "rt", Pass: sets([]string{"<=+10%"}), Weight: 1})
		got := Score(input(s, []*SLIResult{val("rt", 27)}, prev...))
		r := got.Evaluation.IndicatorResults[0]
		if r.Value.ComparedValue != base || r.PassTargets[0].TargetValue != base*110/100 {
			t.Errorf("%s: compared %v, target %v; want %v, %v", fn, r.Value.ComparedValue, r.PassTargets[0].TargetValue, base, base*110/100)
		}
		if want := 27 <= base*110/100; (got.Result == "pass") != want {
			t.Errorf("%s: result %s, want pass=%v", fn, got.Result, want)
		}
	}
}

// TestScoreFailures covers the evaluations that fail before or instead of
// scoring.
func TestScoreFailures(t *testing.T) {
	ok := slo("single_result", 1, "avg", "90%", "", &Objective{SLI: "rt", Pass: sets([]string{"<600"}), Weight: 1})
	tests := []struct {
		name                   string
		in                     func() Input
		result, status, msg    string
		evalResult             string
		hasIndicators, hasSLOs bool
	}{
		{"provider error", func() Input {
			in := input(ok, nil)
			in.SLI.Status, in.SLI.Result, in.SLI.Message = "errored", "fail", "prometheus unreachable"
			return in
		}, "fail", "errored", "evaluation performed by lighthouse received an unexpected error: prometheus unreachable", "fail", false, false},
		{"provider aborted", func() Input {
			in := input(ok, nil)
			in.SLI.Status = "aborted"
			return in
		}, "fail", "errored", "evaluation performed by lighthouse was aborted", "fail", false, false},
		{"no SLO", func() Input { return input(nil, []*SLIResult{val("rt", 1)}) },
			"pass", "succeeded", "no evaluation performed by lighthouse because no SLO file configured for project sockshop", "pass", false, false},
		{"no objectives", func() Input { return input(slo("", 0, "", "90%", ""), []*SLIResult{val("rt", 1)}) },
			"fail", "succeeded", "lighthouse failed because no SLO objective was provided", "fail", false, true},
		{"no total score", func() Input {
			s := slo("", 0, "", "", "", &Objective{SLI: "rt", Pass: sets([]string{"<600"}), Weight: 1})
			s.TotalScore = nil
			return input(s, []*SLIResult{val("rt", 1)})
		}, "fail", "errored", "no target score defined", "fail", false, true},
		{"invalid criterion", func() Input {
			return input(slo("", 0, "", "90%", "", &Objective{SLI: "rt", DisplayName: "Response time", Pass: sets([]string{"<600ms"}), Weight: 1}), []*SLIResult{val("rt", 1)})
		}, "fail", "succeeded", "error with Response time: could not parse criteria target value", "fail", false, true},
		{"provider reported a failed SLI", func() Input {
			in := input(ok, []*SLIResult{val("rt", 1)})
			in.SLI.Result, in.SLI.Message = "fail", "one query failed"
			return in
		}, "fail", "succeeded", "lighthouse failed because SLI failed with message one query failed", "pass", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Score(tc.in())
			if got.Result != tc.result || got.Status != tc.status || got.Message != tc.msg || got.Evaluation.Result != tc.evalResult {
				t.Errorf("got result %q status %q message %q evaluation.result %q; want %q %q %q %q",
					got.Result, got.Status, got.Message, got.Evaluation.Result, tc.result, tc.status, tc.msg, tc.evalResult)
			}
			if (len(got.Evaluation.IndicatorResults) > 0) != tc.hasIndicators || (got.Evaluation.SLOFileContent != "") != tc.hasSLOs {
				t.Errorf("indicators %d, sloFileContent %q", len(got.Evaluation.IndicatorResults), got.Evaluation.SLOFileContent)
			}
			if got.Project != "sockshop" || got.Evaluation.TimeStart != tStart || got.Evaluation.TimeEnd != tEnd {
				t.Errorf("scope or time lost: %+v", got)
			}
		})
	}
}

// TestNonNumericValueFailsObjective decodes a provider's answer with a value
// that is not a number: its objective fails with a message, the others score.
func TestNonNumericValueFailsObjective(t *testing.T) {
	var d GetSLIFinishedData
	raw := `{"project":"sockshop","result":"pass","status":"succeeded","get-sli":{"start":"a","end":"b","indicatorValues":[
		{"metric":"rt","value":"fast","success":true},{"metric":"tp","value":"42.5","success":true},{"metric":"nan","value":"NaN","success":true}]}}`
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	s := slo("single_result", 1, "avg", "30%", "",
		&Objective{SLI: "rt", Pass: sets([]string{"<600"}), Weight: 1},
		&Objective{SLI: "tp", Pass: sets([]string{">40"}), Weight: 1},
		&Objective{SLI: "nan", Pass: sets([]string{">40"}), Weight: 1})
	got := Score(Input{Scope: scope0, SLO: s, SLI: d})
	rs := got.Evaluation.IndicatorResults
	if rs[0].Status != "fail" || rs[0].Value.Message != `value of rt is not a finite number: "fast"` {
		t.Errorf("rt: %+v %+v", rs[0], rs[0].Value)
	}
	if rs[1].Status != "pass" || rs[1].Value.Value != 42.5 {
		t.Errorf("tp: %+v %+v", rs[1], rs[1].Value)
	}
	if rs[2].Status != "fail" || rs[2].Value.Success {
		t.Errorf("nan: %+v %+v", rs[2], rs[2].Value)
	}
	if got.Result != "pass" || got.Evaluation.Score != 100.0/3 {
		t.Errorf("result %s score %v", got.Result, got.Evaluation.Score)
	}
}
