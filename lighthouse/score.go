package lighthouse

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// Previous is an earlier evaluation.finished event compared with.
type Previous struct {
	ID   string
	Data FinishedData
}

// Input is everything a score depends on.
type Input struct {
	// Scope is project, stage, service and labels of the evaluation.
	Scope keptn.EventData
	// SLO is the parsed slo.yaml and SLORaw its text; SLO is nil when the
	// service has no slo.yaml in the stage.
	SLO    *SLO
	SLORaw []byte
	// SLI is the provider's get-sli.finished data.
	SLI GetSLIFinishedData
	// Previous are the earlier evaluations, newest first.
	Previous []Previous
}

// Outcome is the data of the evaluation.finished event a score produces.
type Outcome = FinishedData

// keySLIFailure records a failed key objective.
type keySLIFailure struct {
	failed        bool
	name, message string
}

// Score evaluates SLI values against an SLO exactly as Keptn's lighthouse:
// provider errors and aborts fail the evaluation; no SLO passes without
// evaluation; otherwise every objective is scored against its pass and
// warning criteria (relative ones against the aggregated earlier values),
// the weighted total is compared with total_score, and a failed key SLI
// fails the evaluation. Score does not modify its input.
func Score(in Input) Outcome {
	out := Outcome{EventData: scope(in.Scope)}
	out.Evaluation = Details{TimeStart: in.SLI.GetSLI.Start, TimeEnd: in.SLI.GetSLI.End, Result: keptn.ResultPass}
	out.Status = keptn.StatusSucceeded
	switch in.SLI.Status {
	case keptn.StatusAborted:
		return failed(out, keptn.StatusErrored, "evaluation performed by lighthouse was aborted")
	case keptn.StatusErrored:
		return failed(out, keptn.StatusErrored, "evaluation performed by lighthouse received an unexpected error: "+in.SLI.Message)
	}
	if in.SLO == nil {
		out.Result = keptn.ResultPass
		out.Message = "no evaluation performed by lighthouse because no SLO file configured for project " + in.Scope.Project
		return out
	}
	sloB64 := base64.StdEncoding.EncodeToString(in.SLORaw)
	prev := make([]FinishedData, len(in.Previous))
	var ids []string
	for i, p := range in.Previous {
		prev[i] = p.Data
		ids = append(ids, p.ID)
	}
	results, maxScore, key, msg, err := evaluateObjectives(in.SLO, copyValues(in.SLI.GetSLI.IndicatorValues), prev)
	out.Evaluation.ComparedEvents = ids
	out.Evaluation.SLOFileContent = sloB64
	if err != nil {
		out.Evaluation.Result, out.Result, out.Message = keptn.ResultFail, keptn.ResultFail, err.Error()
		return out
	}
	out.Evaluation.IndicatorResults = results
	out.Message = msg
	if err := totalScore(&out, maxScore, in.SLO, key); err != nil {
		out = failed(Outcome{EventData: scope(in.Scope), Evaluation: Details{TimeStart: in.SLI.GetSLI.Start, TimeEnd: in.SLI.GetSLI.End}},
			keptn.StatusErrored, err.Error())
		out.Evaluation.SLOFileContent = sloB64
		return out
	}
	switch {
	case len(in.SLO.Objectives) == 0:
		out.Result, out.Message = keptn.ResultFail, "lighthouse failed because no SLO objective was provided"
	case in.SLI.Result == keptn.ResultFail:
		out.Result, out.Message = keptn.ResultFail, "lighthouse failed because SLI failed with message "+in.SLI.Message
	}
	return out
}

func scope(d keptn.EventData) keptn.EventData {
	return keptn.EventData{Project: d.Project, Stage: d.Stage, Service: d.Service, Labels: d.Labels}
}

// failed turns out into a failed evaluation with no indicator results.
func failed(out Outcome, status, msg string) Outcome {
	out.Result, out.Status, out.Message = keptn.ResultFail, status, msg
	out.Evaluation.Result, out.Evaluation.Score, out.Evaluation.IndicatorResults = keptn.ResultFail, 0, nil
	return out
}

func copyValues(in []*SLIResult) []*SLIResult {
	out := make([]*SLIResult, 0, len(in))
	for _, v := range in {
		if v != nil {
			c := *v
			out = append(out, &c)
		}
	}
	return out
}

// evaluateObjectives scores every objective. maxScore is the sum of the
// weights of objectives with pass criteria; msg lists values no objective
// asked for.
func evaluateObjectives(slo *SLO, values []*SLIResult, previous []FinishedData) (results []*IndicatorResult, maxScore float64, key keySLIFailure, msg string, err error) {
	if len(slo.Objectives) == 0 {
		return nil, 100, key, "", nil
	}
	for _, o := range slo.Objectives {
		if len(o.Pass) > 0 {
			maxScore += float64(o.Weight)
		}
		prev := previousValues(previous, o.SLI)
		r := &IndicatorResult{Value: take(&values, o.SLI), DisplayName: o.DisplayName}
		results = append(results, r)
		if len(o.Pass) == 0 {
			r.Status = "info"
			r.PassTargets, r.WarningTargets = emptyTargets(o.Pass, prev, slo.Comparison), emptyTargets(o.Warning, prev, slo.Comparison)
			continue
		}
		if r.Value == nil || !r.Value.Success {
			if r.Value == nil {
				r.Value = &SLIResult{Metric: o.SLI, Message: "no value received from SLI provider"}
			}
			r.Status = "fail"
			r.PassTargets, r.WarningTargets = emptyTargets(o.Pass, prev, slo.Comparison), emptyTargets(o.Warning, prev, slo.Comparison)
			if o.KeySLI {
				key = keySLIFailure{failed: true, name: o.DisplayName, message: r.Value.Message}
			}
			continue
		}
		base, ok := aggregate(prev, slo.Comparison.AggregateFunction)
		if err := scoreObjective(o, r, baseline{base, ok}, &key); err != nil {
			name := o.DisplayName
			if name == "" {
				name = o.SLI
			}
			return nil, 100, key, "", fmt.Errorf("error with %s: %v", name, err)
		}
	}
	if len(values) > 0 {
		names := make([]string, len(values))
		for i, v := range values {
			names[i] = v.Metric
		}
		msg = fmt.Sprintf("Lighthouse received additional SLIs, which are not specified as SLO: %s . Please consider using them as an SLO.", strings.Join(names, ", "))
	}
	return results, maxScore, key, msg, nil
}

// scoreObjective applies pass and warning criteria to an objective with a
// valid value: pass scores its weight, warning half of it.
func scoreObjective(o *Objective, r *IndicatorResult, base baseline, key *keySLIFailure) error {
	passed, passTargets, err := anySet(r.Value, o.Pass, base)
	if err != nil {
		return err
	}
	if passed {
		r.Score, r.Status = float64(o.Weight), "pass"
	}
	warned := false
	var warnTargets []*SLITarget
	if len(o.Warning) > 0 {
		warned, warnTargets, _ = anySet(r.Value, o.Warning, base)
		if !passed && warned {
			r.Score, r.Status = 0.5*float64(o.Weight), "warning"
		}
	}
	r.PassTargets, r.WarningTargets, r.KeySLI = passTargets, warnTargets, o.KeySLI
	if !passed && !warned {
		if o.KeySLI {
			*key = keySLIFailure{failed: true, name: o.DisplayName, message: fmt.Sprintf("failed evaluation with score %f", r.Score)}
		}
		r.Status, r.Score = "fail", 0
	}
	return nil
}

// take removes and returns the value of metric, the way lighthouse did
// (the last value moves into its place), or nil.
func take(values *[]*SLIResult, metric string) *SLIResult {
	v := *values
	for i, r := range v {
		if r.Metric == metric {
			v[i] = v[len(v)-1]
			*values = v[:len(v)-1]
			return r
		}
	}
	return nil
}

// previousValues collects the earlier values of an indicator.
func previousValues(previous []FinishedData, metric string) []*SLIResult {
	var out []*SLIResult
	for _, p := range previous {
		for _, r := range p.Evaluation.IndicatorResults {
			if r != nil && r.Value != nil && r.Value.Metric == metric {
				out = append(out, r.Value)
			}
		}
	}
	return out
}

// emptyTargets lists the criteria of an objective that was not evaluated,
// all violated, with the thresholds they would have had.
func emptyTargets(sets []*Criteria, prev []*SLIResult, cmp *Comparison) []*SLITarget {
	out := []*SLITarget{}
	for _, set := range sets {
		if set == nil {
			continue
		}
		for _, s := range set.Criteria {
			c, err := parseCriteria(s)
			if err != nil {
				continue
			}
			t := &SLITarget{Criteria: s, Violated: true, TargetValue: c.Value}
			if c.Relative {
				t.TargetValue, _ = aggregate(prev, cmp.AggregateFunction)
			}
			out = append(out, t)
		}
	}
	return out
}

// baseline is the aggregated earlier value of an indicator; ok is false
// when there is nothing to compare with.
type baseline struct {
	value float64
	ok    bool
}

// anySet reports whether one criteria set holds (all its criteria); the
// targets of every set are returned.
func anySet(v *SLIResult, sets []*Criteria, base baseline) (bool, []*SLITarget, error) {
	ok := false
	var targets []*SLITarget
	for _, set := range sets {
		if set == nil {
			continue
		}
		all := true
		for _, s := range set.Criteria {
			t := &SLITarget{Criteria: s}
			holds, err := evalCriterion(v, s, base, t)
			if err != nil {
				return false, []*SLITarget{}, err
			}
			t.Violated = !holds
			all = all && holds
			targets = append(targets, t)
		}
		ok = ok || all
	}
	return ok, targets, nil
}

// evalCriterion checks one criterion and records its threshold in t. A
// relative criterion with nothing to compare with holds.
func evalCriterion(v *SLIResult, s string, base baseline, t *SLITarget) (bool, error) {
	if !v.Success {
		return false, errors.New("cannot evaluate invalid SLI result")
	}
	c, err := parseCriteria(s)
	if err != nil {
		return false, err
	}
	v.ComparedValue = base.value
	if !c.Relative {
		t.TargetValue = c.Value
		return compare(v.Value, c.Value, c.Operator)
	}
	if !base.ok {
		return true, nil
	}
	t.TargetValue = c.threshold(base.value)
	return compare(v.Value, t.TargetValue, c.Operator)
}

// totalScore sets the evaluation's score and result from the objectives'
// scores and total_score.
func totalScore(out *Outcome, maxScore float64, slo *SLO, key keySLIFailure) error {
	if slo.TotalScore == nil || slo.TotalScore.Pass == "" {
		return errors.New("no target score defined")
	}
	passAt, err := percent(slo.TotalScore.Pass)
	if err != nil {
		return errors.New("could not parse pass target percentage")
	}
	warnAt, err := percent(slo.TotalScore.Warning)
	if slo.TotalScore.Warning != "" && err != nil {
		return errors.New("could not parse warning target percentage")
	}
	set := func(result string) {
		out.Evaluation.Result, out.Result, out.Status = result, result, keptn.StatusSucceeded
	}
	if maxScore == 0 {
		set(keptn.ResultPass)
		out.Evaluation.Score = 100
		return nil
	}
	total := 0.0
	for _, r := range out.Evaluation.IndicatorResults {
		if len(r.PassTargets) > 0 {
			total += r.Score
		}
	}
	pct := 100 * total / maxScore
	out.Evaluation.Score = pct
	switch {
	case pct >= passAt && !key.failed:
		set(keptn.ResultPass)
	case slo.TotalScore.Warning != "" && !key.failed && pct >= warnAt:
		set(keptn.ResultWarning)
		out.Message = fmt.Sprintf("Evaluation returned a warning: the calculated score of %v is close to the warning target value of %v", pct, warnAt)
	case slo.TotalScore.Warning != "" && !key.failed:
		set(keptn.ResultFail)
		out.Message = fmt.Sprintf("Evaluation failed since the calculated score of %v is below the warning value of %v", pct, warnAt)
	case key.failed:
		set(keptn.ResultFail)
		out.Message = fmt.Sprintf("Evaluation failed due to key_sli objective '%s': %s", key.name, key.message)
	default:
		set(keptn.ResultFail)
		out.Message = fmt.Sprintf("Evaluation failed since the calculated score of %v is below the target value of %v", pct, passAt)
	}
	return nil
}
