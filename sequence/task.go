package sequence

import (
	"context"
	"encoding/json"
	"time"

	"github.com/batonhq/baton/keptn"
)

// onTaskEvent correlates a task's .started, .status.changed or .finished with
// the execution whose current task it answers (by triggeredid) and completes
// the task once Keptn's rule holds: #finished == #started and #finished > 0.
//
// Keptn's known hole: a .finished without a .started never completed the
// task. baton counts a .finished that has no unmatched .started as both a
// start and a finish, so such a task completes.
//
// Each source counts once per phase: a .started or .finished that a client
// resent (after a lost reply) is stored as an event but changes nothing, so
// retries cannot leave a task waiting for a .finished that never comes.
func (en *Engine) onTaskEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event, t keptn.EventType) error {
	e, err := tx.ExecutionByTask(ev.TriggeredID)
	if err != nil || e == nil || e.Ended() {
		return err // not a task of a running sequence, or answered after it completed
	}
	if e.Status.CurrentTask.Name != t.Task {
		return nil // the triggeredid belongs to another task
	}
	if (t.Phase == "started" || t.Phase == "finished") && answered(e.Status.CurrentTask.Events, ev.Type, ev.Source) {
		return nil // a retry of an event this source already sent
	}
	data := ev.DecodedData()
	te := keptn.TaskEvent{EventType: ev.Type, Source: ev.Source, Result: str(data, "result"), Status: str(data, "status"), Time: ev.Time}
	e.Baton.LatestEvent = ref(ev)
	if te.Result == keptn.ResultFail || te.Status == keptn.StatusErrored {
		e.Baton.LatestFailedEvent = ref(ev)
	}
	if len(e.Status.CurrentTask.Events) == 0 {
		e.Baton.Deadline = time.Time{} // the started timeout no longer applies
	}
	switch t.Phase {
	case "started":
		e.Baton.Started++
		if d := en.finishedTimeout(e); e.Baton.Started == 1 && d > 0 {
			e.Baton.Deadline = ms(en.clock.Now().Add(d))
		}
	case "finished":
		te.Properties = data
		e.Baton.Finished++
		if e.Baton.Finished > e.Baton.Started {
			e.Baton.Started = e.Baton.Finished // a .finished without .started counts as both
		}
		if t.Task == "evaluation" {
			e.Baton.LatestEvaluation = evaluation(data)
		}
	}
	e.Status.CurrentTask.Events = append(e.Status.CurrentTask.Events, te)
	if e.Baton.Finished > 0 && e.Baton.Finished == e.Baton.Started {
		return en.completeTask(ctx, tx, e)
	}
	if err := en.schedule(tx, e); err != nil {
		return err
	}
	return en.save(tx, e)
}

// answered reports whether source already sent an event of type typ for the
// current task.
func answered(events []keptn.TaskEvent, typ, source string) bool {
	for _, te := range events {
		if te.EventType == typ && te.Source == source {
			return true
		}
	}
	return false
}

// completeTask records the current task's aggregated outcome and moves on:
// the next task, or the sequence's end after the last task or a failure.
func (en *Engine) completeTask(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	cur := e.Status.CurrentTask
	res := aggregate(cur.Events)
	res.Name, res.TriggeredID = cur.Name, cur.TriggeredID
	e.Status.PreviousTasks = append(e.Status.PreviousTasks, res)
	e.Status.CurrentTask = keptn.TaskState{}
	e.Baton.Started, e.Baton.Finished = 0, 0
	e.Baton.Deadline = time.Time{}
	if err := tx.DeleteOpenEvent(cur.TriggeredID); err != nil {
		return err
	}
	last := e.Baton.TaskIndex == len(e.Sequence.Tasks)-1
	if last || res.Result == keptn.ResultFail || res.Status == keptn.StatusErrored {
		// Like Keptn, the sequence .finished carries the message of the
		// .finished event that completed the last task.
		msg := ""
		if n := len(cur.Events); n > 0 {
			msg = str(cur.Events[n-1].Properties, "message")
		}
		return en.finish(ctx, tx, e, keptn.StateFinished, res.Result, res.Status, msg)
	}
	e.Baton.TaskIndex++
	if e.Status.State == keptn.StatePaused {
		// Resume dispatches the next task.
		e.Status.StateBeforePause = keptn.StateStarted
		return en.save(tx, e)
	}
	return en.dispatch(ctx, tx, e)
}

// aggregate combines a task's .finished events as Keptn does:
// result fail if any result is neither pass nor warning, else warning if any
// is warning, else pass; status errored if any errored, else aborted if any
// aborted, else succeeded if all succeeded, else unknown (and result fail).
// Properties are the finished events' data merged in arrival order.
func aggregate(events []keptn.TaskEvent) keptn.TaskResult {
	res := keptn.TaskResult{Result: keptn.ResultPass, Status: keptn.StatusSucceeded, Properties: map[string]any{}}
	var errored, aborted, unknown, failed, warning bool
	for _, te := range events {
		if te.EventType == "" || keptn.ParseType(te.EventType).Phase != "finished" {
			continue
		}
		switch te.Result {
		case keptn.ResultPass:
		case keptn.ResultWarning:
			warning = true
		default:
			failed = true
		}
		switch te.Status {
		case keptn.StatusSucceeded:
		case keptn.StatusErrored:
			errored = true
		case keptn.StatusAborted:
			aborted = true
		default:
			unknown = true
		}
		res.Properties = mergeMaps(res.Properties, te.Properties)
	}
	switch {
	case failed:
		res.Result = keptn.ResultFail
	case warning:
		res.Result = keptn.ResultWarning
	}
	switch {
	case errored:
		res.Status = keptn.StatusErrored
	case aborted:
		res.Status = keptn.StatusAborted
	case unknown:
		res.Status, res.Result = keptn.StatusUnknown, keptn.ResultFail
	}
	return res
}

// evaluation reads data.result and data.evaluation.score of an evaluation.finished.
func evaluation(data map[string]any) *keptn.EvalBrief {
	ev := &keptn.EvalBrief{Result: str(data, "result")}
	switch s := path(data, "evaluation", "score").(type) {
	case json.Number:
		ev.Score, _ = s.Float64()
	case float64:
		ev.Score = s
	}
	return ev
}

// finishedTimeout is the current task's finished timeout: the shipyard
// task's finishedTimeout, else the engine's default (0 = none).
func (en *Engine) finishedTimeout(e *keptn.SequenceExecution) time.Duration {
	task := e.Sequence.Tasks[e.Baton.TaskIndex]
	if task.FinishedTimeout != "" {
		if v, err := time.ParseDuration(task.FinishedTimeout); err == nil {
			return v
		}
	}
	return en.cfg.FinishedTimeout
}
