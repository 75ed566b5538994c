package sequence

import (
	"github.com/batonhq/baton/keptn"
)

// The engine logs at info exactly one line when a sequence starts and one
// when it ends (with its result), after the transaction commits, so a line
// is never written for a change that rolled back.

func (en *Engine) logStarted(tx keptn.Tx, e *keptn.SequenceExecution) {
	if en.log == nil {
		return
	}
	sc := e.Scope
	tx.AfterCommit(func() {
		en.log.Info("sequence started", "project", sc.Project, "stage", sc.Stage, "service", sc.Service,
			"sequence", e.Sequence.Name, "keptnContext", sc.KeptnContext)
	})
}

func (en *Engine) logEnded(tx keptn.Tx, e *keptn.SequenceExecution) {
	if en.log == nil {
		return
	}
	sc, state, name := e.Scope, e.Status.State, e.Sequence.Name
	took := e.Baton.EndedAt.Sub(e.TriggeredAt)
	tx.AfterCommit(func() {
		args := []any{"project", sc.Project, "stage", sc.Stage, "service", sc.Service, "sequence", name,
			"keptnContext", sc.KeptnContext, "state", state, "result", sc.Result, "status", sc.Status, "duration", took}
		if sc.Message != "" {
			args = append(args, "message", sc.Message)
		}
		en.log.Info("sequence ended", args...)
	})
}
