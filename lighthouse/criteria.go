package lighthouse

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// criterion is a parsed criterion string such as "<600", "<=+10%" or ">=-5%".
// A criterion with a sign or a percent is relative: its threshold is
// computed from the aggregated earlier values.
type criterion struct {
	Operator   string
	Value      float64
	Percentage bool
	Relative   bool
	Increase   bool
}

// validStart is what lighthouse's pattern
// ^([<|<=|=|>|>=]{1,2})([+|-]{0,1}\d*\.?\d*)([%]{0,1}) really checks: its
// first group is a character class and the rest may match empty, so only
// the first character matters; the parser below decides the rest.
func validStart(s string) bool { return s != "" && strings.ContainsRune("<|=>", rune(s[0])) }

var errNoOperator = errors.New("no operator set")

// parseCriteria parses a criterion as lighthouse did: spaces are ignored; a
// trailing % makes it a relative increase unless the value is signed "-".
func parseCriteria(s string) (criterion, error) {
	s = strings.ReplaceAll(s, " ", "")
	if !validStart(s) {
		return criterion{}, errors.New("invalid criteria string")
	}
	var c criterion
	for _, op := range []string{"<=", "<", "=", ">=", ">"} {
		if rest, ok := strings.CutPrefix(s, op); ok {
			c.Operator, s = op, rest
			break
		}
	}
	if rest, ok := strings.CutSuffix(s, "%"); ok {
		c.Percentage, c.Relative, c.Increase = true, true, true
		s = rest
	}
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		c.Relative, c.Increase = true, false
		s = rest
	} else if rest, ok := strings.CutPrefix(s, "+"); ok {
		c.Relative, c.Increase = true, true
		s = rest
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return criterion{}, errors.New("could not parse criteria target value")
	}
	c.Value = v
	return c, nil
}

// threshold is the value a relative criterion compares with, given the
// aggregated earlier value.
func (c criterion) threshold(base float64) float64 {
	switch {
	case c.Percentage && c.Increase:
		return base * (100 + c.Value) / 100
	case c.Percentage:
		return base * (100 - c.Value) / 100
	case c.Increase:
		return base + c.Value
	}
	return base - c.Value
}

// compare applies an operator.
func compare(measured, expected float64, op string) (bool, error) {
	switch op {
	case "<":
		return measured < expected, nil
	case "<=":
		return measured <= expected, nil
	case "=":
		return measured == expected, nil
	case ">=":
		return measured >= expected, nil
	case ">":
		return measured > expected, nil
	}
	return false, errNoOperator
}

// aggregate combines the successful earlier values of an indicator with the
// comparison's function. ok is false when there is nothing to compare with;
// relative criteria then pass.
func aggregate(previous []*SLIResult, fn string) (v float64, ok bool) {
	var vals []float64
	for _, p := range previous {
		if p.Success {
			vals = append(vals, p.Value)
		}
	}
	if len(vals) == 0 {
		return 0, false
	}
	switch fn {
	case "avg":
		sum := 0.0
		for _, x := range vals {
			sum += x
		}
		return sum / float64(len(vals)), true
	case "p50":
		return percentile(vals, 0.5), true
	case "p90":
		return percentile(vals, 0.9), true
	case "p95":
		return percentile(vals, 0.95), true
	}
	return 0, true // an unknown function aggregates to 0, as in Keptn
}

// percentile is lighthouse's percentile: position p·(n+1) with linear
// interpolation, clamped to the smallest and largest value.
func percentile(vals []float64, p float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	pos := p * float64(n+1)
	switch {
	case pos < 1:
		return s[0]
	case pos >= float64(n):
		return s[n-1]
	}
	lower, upper := s[int(pos)-1], s[int(pos)]
	return lower + (pos-math.Floor(pos))*(upper-lower)
}
