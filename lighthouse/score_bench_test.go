package lighthouse

import (
	"fmt"
	"testing"
)

// BenchmarkScore scores an SLO of 50 objectives against 10 earlier
// evaluations (several_results, p90), the scoring budget (≤ 2 ms).
func BenchmarkScore(b *testing.B) {
	const objectives, previous = 50, 10
	s := &SLO{Comparison: &Comparison{CompareWith: "several_results", IncludeResultWithScore: "all", NumberOfComparisonResults: previous, AggregateFunction: "p90"},
		TotalScore: &TotalScore{Pass: "90%", Warning: "75%"}}
	var values []*SLIResult
	prev := make([]Previous, previous)
	for i := range objectives {
		name := fmt.Sprintf("sli_%02d", i)
		s.Objectives = append(s.Objectives, &Objective{SLI: name, Weight: 1 + i%3, KeySLI: i == 0,
			Pass: sets([]string{"<=+10%", "<600"}, []string{"<=500"}), Warning: sets([]string{"<=+20%"})})
		values = append(values, val(name, float64(400+i)))
		for j := range prev {
			prev[j].ID = fmt.Sprintf("e%d", j)
			prev[j].Data.Evaluation.IndicatorResults = append(prev[j].Data.Evaluation.IndicatorResults,
				&IndicatorResult{Value: val(name, float64(380+i+j)), Status: "pass"})
		}
	}
	in := Input{Scope: scope0, SLO: s, SLORaw: []byte("slo"), Previous: prev,
		SLI: GetSLIFinishedData{GetSLI: GetSLIFinished{Start: tStart, End: tEnd, IndicatorValues: values}}}
	b.ReportAllocs()
	for b.Loop() {
		out := Score(in)
		if len(out.Evaluation.IndicatorResults) != objectives {
			b.Fatal("not all objectives scored")
		}
	}
}
