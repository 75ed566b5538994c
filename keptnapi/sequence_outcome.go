package keptnapi

import (
	"time"

	"github.com/batonhq/baton/keptn"
)

// sequenceOutcome is baton's addition to Keptn's SequenceState and its
// stages: how an ended sequence ended. Keptn's Bridge derived a result from
// latestFailedEvent; baton states it, with the reason and the end time, so
// a CLI or a CI job needs no second call. Empty while the sequence runs.
type sequenceOutcome struct {
	// Result is pass, warning or fail: the worst result of the ended stages.
	Result string `json:"result,omitempty"`
	// Message says why a failed sequence failed (for example why it was
	// refused at trigger time).
	Message string `json:"message,omitempty"`
	// EndTime is when the sequence (or stage) ended.
	EndTime string `json:"endTime,omitempty"`

	ended time.Time
}

// outcome is the outcome of one execution.
func outcome(e *keptn.SequenceExecution) sequenceOutcome {
	if !e.Ended() {
		return sequenceOutcome{}
	}
	o := sequenceOutcome{Result: e.Scope.Result, ended: e.Baton.EndedAt}
	if e.Scope.Result == keptn.ResultFail || e.Scope.Status == keptn.StatusErrored {
		o.Message = e.Scope.Message
	}
	if !e.Baton.EndedAt.IsZero() {
		o.EndTime = keptn.FormatTime(e.Baton.EndedAt)
	}
	return o
}

// resultRank orders results from best to worst.
var resultRank = map[string]int{keptn.ResultPass: 1, keptn.ResultWarning: 2, keptn.ResultFail: 3}

// contextOutcome is the outcome of a keptnContext in state: the worst result
// of its stages, the message of the first that failed, the last end time.
func contextOutcome(state string, stages []stageState) sequenceOutcome {
	switch state {
	case keptn.StateFinished, keptn.StateAborted, keptn.StateTimedOut:
	default:
		return sequenceOutcome{}
	}
	var out sequenceOutcome
	for _, st := range stages {
		o := st.sequenceOutcome
		if resultRank[o.Result] > resultRank[out.Result] {
			out.Result = o.Result
		}
		if out.Message == "" {
			out.Message = o.Message
		}
		if o.ended.After(out.ended) {
			out.ended, out.EndTime = o.ended, o.EndTime
		}
	}
	return out
}
