package sequence

import (
	"context"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
)

// finish ends e in state (finished, aborted or timedOut): it closes e's open
// events, emits sh.keptn.event.<stage>.<seq>.finished with Keptn's data,
// chains the stages whose triggeredOn matches (only when state is
// finished) and starts the next sequence waiting for the slot.
func (en *Engine) finish(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution, state, result, status, msg string) error {
	if tid := e.Status.CurrentTask.TriggeredID; tid != "" {
		if err := tx.DeleteOpenEvent(tid); err != nil {
			return err
		}
	}
	if err := tx.DeleteOpenEvent(e.ID); err != nil {
		return err
	}
	if err := en.cancelTimers(tx, e); err != nil {
		return err
	}
	e.Baton.Deadline, e.Baton.DispatchDue = time.Time{}, time.Time{}
	e.Status.State, e.Status.StateBeforePause = state, ""
	e.Status.CurrentTask.TriggeredID = ""
	e.Baton.EndedAt = en.clock.Now().UTC()
	e.Scope.Result, e.Scope.Status, e.Scope.Message = result, status, msg
	fin, err := en.events.New(keptn.SequenceType(e.Scope.Stage, e.Sequence.Name, "finished"), Source, e.Scope.KeptnContext, e.ID,
		keptn.EventData{Project: e.Scope.Project, Stage: e.Scope.Stage, Service: e.Scope.Service, Labels: e.Scope.Labels,
			Status: status, Result: result, Message: msg})
	if err != nil {
		return err
	}
	fin.GitCommitID = e.Scope.GitCommitID
	e.Baton.LatestEvent = ref(fin)
	if result == keptn.ResultFail || status == keptn.StatusErrored {
		e.Baton.LatestFailedEvent = ref(fin)
	}
	if err := en.save(tx, e); err != nil {
		return err
	}
	en.logEnded(tx, e)
	if err := en.events.Append(ctx, tx, fin); err != nil {
		return err
	}
	if state == keptn.StateFinished {
		if err := en.chain(ctx, tx, e, result); err != nil {
			return err
		}
	}
	return en.startNext(ctx, tx, e.Scope.Project, e.Scope.Stage, e.Scope.Service)
}

// chain triggers every sequence whose triggeredOn names e's finished event
// and whose selector matches, in the same keptnContext.
func (en *Engine) chain(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution, result string) error {
	sy, err := tx.Shipyard(e.Scope.Project)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return nil // the project was deleted meanwhile
	}
	if err != nil {
		return err
	}
	done := e.Scope.Stage + "." + e.Sequence.Name + ".finished"
	var ran []*keptn.SequenceExecution
	for _, st := range sy.Spec.Stages {
		for _, seq := range st.Sequences {
			for _, tr := range seq.TriggeredOn {
				if tr.Event != done || !selectorMatches(tr.Selector, e, result) {
					continue
				}
				if ran == nil {
					if ran, err = tx.ExecutionsByContext(e.Scope.KeptnContext); err != nil {
						return err
					}
				}
				if alreadyRan(ran, st.Name, seq.Name) {
					continue // a shipyard cycle; never loop within one context
				}
				if err := en.trigger(ctx, tx, e, st.Name, seq.Name); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

// selectorMatches applies a triggeredOn selector. Without one, Keptn fires
// on pass and warning. Every match key must hold: "result" compares the
// sequence's result, "<task>.result" the result of that task in the
// finished sequence (Keptn only checked the last task's name). Values are
// compared literally (pass, warning, fail).
func selectorMatches(sel keptn.Selector, e *keptn.SequenceExecution, result string) bool {
	if len(sel.Match) == 0 {
		return result == keptn.ResultPass || result == keptn.ResultWarning
	}
	for key, want := range sel.Match {
		got := ""
		if key == "result" {
			got = result
		} else if task, ok := strings.CutSuffix(key, ".result"); ok {
			for _, pt := range e.Status.PreviousTasks {
				if pt.Name == task {
					got = pt.Result
				}
			}
		}
		if got == "" || got != want {
			return false
		}
	}
	return true
}

func alreadyRan(execs []*keptn.SequenceExecution, stage, seq string) bool {
	for _, x := range execs {
		if x.Scope.Stage == stage && x.Sequence.Name == seq {
			return true
		}
	}
	return false
}

// trigger emits sh.keptn.event.<stage>.<seq>.triggered for the next stage,
// carrying the finished run's merged data with the stage replaced.
func (en *Engine) trigger(ctx context.Context, tx keptn.Tx, from *keptn.SequenceExecution, stage, seq string) error {
	data := nextData(from)
	data["stage"] = stage
	ev, err := en.events.New(keptn.SequenceType(stage, seq, "triggered"), Source, from.Scope.KeptnContext, "", data)
	if err != nil {
		return err
	}
	ev.GitCommitID = from.Scope.GitCommitID
	return en.events.Append(ctx, tx, ev)
}

// startNext starts the oldest waiting execution of the slot if it is free.
func (en *Engine) startNext(ctx context.Context, tx keptn.Tx, project, stage, service string) error {
	taken, err := tx.SlotTaken(project, stage, service, "")
	if err != nil || taken {
		return err
	}
	next, err := tx.NextWaiting(project, stage, service)
	if err != nil || next == nil {
		return err
	}
	return en.start(ctx, tx, next)
}
