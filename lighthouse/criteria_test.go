package lighthouse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseCriteria mirrors lighthouse's TestParseCriteriaString.
func TestParseCriteria(t *testing.T) {
	tests := []struct {
		in   string
		want criterion
	}{
		{"<10", criterion{Operator: "<", Value: 10}},
		{"<=10", criterion{Operator: "<=", Value: 10}},
		{"=10", criterion{Operator: "=", Value: 10}},
		{">=10", criterion{Operator: ">=", Value: 10}},
		{">10", criterion{Operator: ">", Value: 10}},
		{">-10%", criterion{Operator: ">", Value: 10, Percentage: true, Relative: true}},
		{"<=+10.5%", criterion{Operator: "<=", Value: 10.5, Percentage: true, Relative: true, Increase: true}},
		{"<=+10", criterion{Operator: "<=", Value: 10, Relative: true, Increase: true}},
		{"  <=+10   %", criterion{Operator: "<=", Value: 10, Percentage: true, Relative: true, Increase: true}},
		{"  <=10%", criterion{Operator: "<=", Value: 10, Percentage: true, Relative: true, Increase: true}},
	}
	for _, tc := range tests {
		got, err := parseCriteria(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("%q (-got +want):\n%s", tc.in, diff)
		}
	}
	for _, bad := range []string{"", "10", "abc", "<", "<=abc", "=<10", "<10ms"} {
		if _, err := parseCriteria(bad); err == nil {
			t.Errorf("%q: parsed, want an error", bad)
		}
	}
}

// TestCompare mirrors lighthouse's TestEvaluateValue.
func TestCompare(t *testing.T) {
	tests := []struct {
		measured, expected float64
		op                 string
		want               bool
	}{
		{10, 9, ">", true}, {10, 10, ">=", true}, {10, 10, "<=", true},
		{10, 10, "<", false}, {10, 10, ">", false}, {10, 10, "=", true}, {10, 9, "=", false},
	}
	for _, tc := range tests {
		got, err := compare(tc.measured, tc.expected, tc.op)
		if err != nil || got != tc.want {
			t.Errorf("%v %s %v = %v, %v; want %v", tc.measured, tc.op, tc.expected, got, err, tc.want)
		}
	}
	if _, err := compare(10, 10, "?"); err != errNoOperator {
		t.Errorf("operator ?: err %v, want %v", err, errNoOperator)
	}
}

// TestPercentile mirrors lighthouse's TestCalculatePercentile.
func TestPercentile(t *testing.T) {
	vals := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for p, want := range map[float64]float64{0.5: 5, 0.9: 9.8, 0.95: 10} {
		if got := percentile(vals, p); got != want {
			t.Errorf("p%v = %v, want %v", p*100, got, want)
		}
	}
}

func TestAggregate(t *testing.T) {
	prev := []*SLIResult{{Value: 40, Success: true}, {Value: 10, Success: true}, {Value: 999, Success: false}, {Value: 30, Success: true}, {Value: 20, Success: true}}
	for fn, want := range map[string]float64{"avg": 25, "p50": 25, "p90": 40, "p95": 40} {
		got, ok := aggregate(prev, fn)
		if !ok || got != want {
			t.Errorf("%s = %v, %v; want %v", fn, got, ok, want)
		}
	}
	if _, ok := aggregate([]*SLIResult{{Value: 1, Success: false}}, "avg"); ok {
		t.Error("only failed earlier values: want nothing to compare with")
	}
	if _, ok := aggregate(nil, "avg"); ok {
		t.Error("no earlier values: want nothing to compare with")
	}
}
