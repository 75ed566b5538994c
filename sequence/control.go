package sequence

import (
	"context"

	"github.com/batonhq/baton/keptn"
)

// Control states of POST /sequence/{project}/{keptnContext}/control.
const (
	ControlPause  = "pause"
	ControlResume = "resume"
	ControlAbort  = "abort"
)

// Control pauses, resumes or aborts the executions of a keptnContext in
// project, in one stage or (stage "") in all. A pause also holds executions
// the context starts later in that stage. CodeNotFound if the context ran no
// sequence in the project; CodeBadRequest for an unknown state.
func (en *Engine) Control(ctx context.Context, tx keptn.Tx, project, keptnContext, state, stage string) error {
	if state != ControlPause && state != ControlResume && state != ControlAbort {
		return keptn.Errorf(keptn.CodeBadRequest, "state must be pause, resume or abort, not %q", state)
	}
	all, err := tx.ExecutionsByContext(keptnContext)
	if err != nil {
		return err
	}
	var ids []string
	known := false
	for _, e := range all {
		if e.Scope.Project != project {
			continue
		}
		known = true
		if stage == "" || e.Scope.Stage == stage {
			ids = append(ids, e.ID)
		}
	}
	if !known {
		return keptn.Errorf(keptn.CodeNotFound, "no sequence with keptnContext %s in project %s", keptnContext, project)
	}
	switch state {
	case ControlPause:
		if err := tx.SetPaused(keptnContext, stage, true); err != nil {
			return err
		}
		return en.each(tx, ids, func(e *keptn.SequenceExecution) error { return en.pause(tx, e) })
	case ControlResume:
		if err := tx.SetPaused(keptnContext, stage, false); err != nil {
			return err
		}
		return en.each(tx, ids, func(e *keptn.SequenceExecution) error { return en.resume(ctx, tx, e) })
	}
	if err := tx.SetPaused(keptnContext, "", false); err != nil {
		return err
	}
	// Abort waiting executions first so ending a running one cannot start
	// another of the same context.
	for _, slot := range []bool{false, true} {
		err := en.each(tx, ids, func(e *keptn.SequenceExecution) error {
			if e.HoldsSlot() != slot {
				return nil
			}
			return en.finish(ctx, tx, e, keptn.StateAborted, keptn.ResultPass, keptn.StatusAborted, "sequence aborted")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// each reloads every execution by id (earlier steps may have changed it)
// and applies f to those that have not ended.
func (en *Engine) each(tx keptn.Tx, ids []string, f func(*keptn.SequenceExecution) error) error {
	for _, id := range ids {
		e, err := tx.Execution(id)
		if err != nil {
			return err
		}
		if e == nil || e.Ended() {
			continue
		}
		if err := f(e); err != nil {
			return err
		}
	}
	return nil
}

func (en *Engine) pause(tx keptn.Tx, e *keptn.SequenceExecution) error {
	if e.Status.State == keptn.StatePaused {
		return nil
	}
	e.Status.StateBeforePause, e.Status.State = e.Status.State, keptn.StatePaused
	if err := en.cancelTimers(tx, e); err != nil {
		return err
	}
	return en.save(tx, e)
}

func (en *Engine) resume(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	if e.Status.State != keptn.StatePaused {
		return nil
	}
	e.Status.State, e.Status.StateBeforePause = e.Status.StateBeforePause, ""
	switch e.Status.State {
	case keptn.StateWaiting, keptn.StateTriggered, "":
		e.Status.State = keptn.StateWaiting
		if err := en.save(tx, e); err != nil {
			return err
		}
		return en.startNext(ctx, tx, e.Scope.Project, e.Scope.Stage, e.Scope.Service)
	}
	if err := en.save(tx, e); err != nil {
		return err
	}
	return en.rearm(ctx, tx, e)
}
