package lighthouse

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SLOURI is the resource URI of a service's objectives in a stage.
const SLOURI = "slo.yaml"

// SLO is a service's slo.yaml (go-utils ServiceLevelObjectives).
type SLO struct {
	SpecVersion string            `yaml:"spec_version" json:"spec_version"`
	Filter      map[string]string `yaml:"filter" json:"filter"`
	Comparison  *Comparison       `yaml:"comparison" json:"comparison"`
	Objectives  []*Objective      `yaml:"objectives" json:"objectives"`
	TotalScore  *TotalScore       `yaml:"total_score" json:"total_score"`
}

// Comparison says which earlier evaluations relative criteria compare with.
type Comparison struct {
	CompareWith               string `yaml:"compare_with" json:"compare_with"`                           // single_result|several_results
	IncludeResultWithScore    string `yaml:"include_result_with_score" json:"include_result_with_score"` // all|pass|pass_or_warn
	NumberOfComparisonResults int    `yaml:"number_of_comparison_results" json:"number_of_comparison_results"`
	AggregateFunction         string `yaml:"aggregate_function" json:"aggregate_function"` // avg|p50|p90|p95
}

// Criteria is a set of criteria that must all hold.
type Criteria struct {
	Criteria []string `yaml:"criteria" json:"criteria"`
}

// Objective is one SLO entry: an indicator with pass and warning criteria.
// Criteria sets are alternatives: one satisfied set passes.
type Objective struct {
	SLI         string      `yaml:"sli" json:"sli"`
	DisplayName string      `yaml:"displayName" json:"displayName"`
	Pass        []*Criteria `yaml:"pass" json:"pass"`
	Warning     []*Criteria `yaml:"warning" json:"warning"`
	Weight      int         `yaml:"weight" json:"weight"`
	KeySLI      bool        `yaml:"key_sli" json:"key_sli"`
}

// TotalScore holds the pass and warning thresholds of the total score, as
// percentages such as "90%".
type TotalScore struct {
	Pass    string `yaml:"pass" json:"pass"`
	Warning string `yaml:"warning" json:"warning"`
}

// ParseSLO decodes an slo.yaml leniently, as Keptn's lighthouse did, and
// fills Keptn's defaults: without a comparison block, compare with a single
// result of any score by avg; a comparison block's blank fields default to
// all, 3 results and avg; an objective's weight defaults to 1.
func ParseSLO(raw []byte) (*SLO, error) {
	var s SLO
	if err := yaml.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s", yamlReason(err))
	}
	s.defaults()
	return &s, nil
}

func (s *SLO) defaults() {
	if s.Comparison == nil {
		s.Comparison = &Comparison{CompareWith: "single_result", IncludeResultWithScore: "all", NumberOfComparisonResults: 1, AggregateFunction: "avg"}
	}
	c := s.Comparison
	if c.IncludeResultWithScore == "" {
		c.IncludeResultWithScore = "all"
	}
	if c.NumberOfComparisonResults == 0 {
		c.NumberOfComparisonResults = 3
	}
	if c.AggregateFunction == "" {
		c.AggregateFunction = "avg"
	}
	objs := s.Objectives[:0]
	for _, o := range s.Objectives {
		if o == nil {
			continue
		}
		if o.Weight == 0 {
			o.Weight = 1
		}
		objs = append(objs, o)
	}
	s.Objectives = objs
}

// comparisonResults is how many earlier evaluations are compared with.
func (s *SLO) comparisonResults() int {
	switch s.Comparison.CompareWith {
	case "single_result":
		return 1
	case "several_results":
		return s.Comparison.NumberOfComparisonResults
	}
	return 3
}

// ValidateSLO checks an slo.yaml before it is stored. The error names the
// line and the reason, so a broken file is refused at upload instead of
// failing evaluations later.
func ValidateSLO(raw []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return errors.New(yamlReason(err))
	}
	if len(bytes.TrimSpace(raw)) == 0 || len(root.Content) == 0 {
		return errors.New("the document is empty")
	}
	var s SLO
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return errors.New(yamlReason(err))
	}
	doc := root.Content[0]
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
	}
	if err := validateComparison(doc, s.Comparison, bad); err != nil {
		return err
	}
	if s.TotalScore == nil || strings.TrimSpace(s.TotalScore.Pass) == "" {
		return bad(lineOf(doc, "total_score"), "total_score.pass is required, such as \"90%%\"")
	}
	if _, err := percent(s.TotalScore.Pass); err != nil {
		return bad(lineOf(doc, "total_score", "pass"), "total_score.pass %q is not a percentage such as \"90%%\"", s.TotalScore.Pass)
	}
	if s.TotalScore.Warning != "" {
		if _, err := percent(s.TotalScore.Warning); err != nil {
			return bad(lineOf(doc, "total_score", "warning"), "total_score.warning %q is not a percentage such as \"75%%\"", s.TotalScore.Warning)
		}
	}
	for i, o := range s.Objectives {
		if err := validateObjective(doc, i, o, bad); err != nil {
			return err
		}
	}
	return nil
}

func validateComparison(doc *yaml.Node, c *Comparison, bad func(int, string, ...any) error) error {
	if c == nil {
		return nil
	}
	switch c.CompareWith {
	case "", "single_result", "several_results":
	default:
		return bad(lineOf(doc, "comparison", "compare_with"), "compare_with must be single_result or several_results, not %q", c.CompareWith)
	}
	switch c.IncludeResultWithScore {
	case "", "all", "pass", "pass_or_warn":
	default:
		return bad(lineOf(doc, "comparison", "include_result_with_score"), "include_result_with_score must be all, pass or pass_or_warn, not %q", c.IncludeResultWithScore)
	}
	switch c.AggregateFunction {
	case "", "avg", "p50", "p90", "p95":
	default:
		return bad(lineOf(doc, "comparison", "aggregate_function"), "aggregate_function must be avg, p50, p90 or p95, not %q", c.AggregateFunction)
	}
	if c.NumberOfComparisonResults < 0 {
		return bad(lineOf(doc, "comparison", "number_of_comparison_results"), "number_of_comparison_results must not be negative")
	}
	return nil
}

func validateObjective(doc *yaml.Node, i int, o *Objective, bad func(int, string, ...any) error) error {
	if o == nil {
		return bad(lineOf(doc, "objectives", i), "objectives[%d] is empty", i)
	}
	if strings.TrimSpace(o.SLI) == "" {
		return bad(lineOf(doc, "objectives", i), "objectives[%d] needs an sli", i)
	}
	if o.Weight < 0 {
		return bad(lineOf(doc, "objectives", i, "weight"), "objective %s: weight must not be negative", o.SLI)
	}
	for _, kind := range []string{"pass", "warning"} {
		sets := o.Pass
		if kind == "warning" {
			sets = o.Warning
		}
		for j, set := range sets {
			if set == nil {
				continue
			}
			for k, c := range set.Criteria {
				if _, err := parseCriteria(c); err != nil {
					return bad(lineOf(doc, "objectives", i, kind, j, "criteria", k), "objective %s: %s criterion %q: %v", o.SLI, kind, c, err)
				}
			}
		}
	}
	return nil
}

// percent parses "90%" or "90".
func percent(s string) (float64, error) {
	return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
}

// lineOf returns the line of the node at path (mapping keys and sequence
// indices) below n, or of the deepest node found on the way.
func lineOf(n *yaml.Node, path ...any) int {
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch p := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						next = n.Content[i+1]
						line = n.Content[i].Line
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				next = n.Content[p]
			}
		}
		if next == nil {
			return line
		}
		n = next
		line = n.Line
	}
	return line
}

// mapValue returns the value node of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// yamlReason is a YAML error without the library's prefix; type errors keep
// their "line N:" text.
func yamlReason(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
