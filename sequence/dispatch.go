package sequence

import (
	"context"
	"time"

	"github.com/batonhq/baton/keptn"
)

// start runs e's first task; e takes its project/stage/service slot.
func (en *Engine) start(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	e.Status.State = keptn.StateStarted
	e.Status.StateBeforePause = ""
	e.Baton.TaskIndex = 0
	en.logStarted(tx, e)
	return en.dispatch(ctx, tx, e)
}

// dispatch sends e's current task (Baton.TaskIndex), or schedules it when the
// task has a triggeredAfter delay.
func (en *Engine) dispatch(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	task := e.Sequence.Tasks[e.Baton.TaskIndex]
	e.Status.CurrentTask = keptn.TaskState{Name: task.Name}
	e.Baton.Started, e.Baton.Finished = 0, 0
	now := en.clock.Now()
	e.Baton.Deadline = time.Time{}
	if e.Baton.DispatchDue.IsZero() && task.TriggeredAfter != "" {
		if d, _ := time.ParseDuration(task.TriggeredAfter); d > 0 {
			e.Baton.DispatchDue = ms(now.Add(d))
		}
	}
	if due := e.Baton.DispatchDue; !due.IsZero() && due.After(now) {
		if err := en.schedule(tx, e); err != nil {
			return err
		}
		return en.save(tx, e)
	}
	return en.sendTask(ctx, tx, e)
}

// sendTask emits sh.keptn.event.<task>.triggered for e's current task.
func (en *Engine) sendTask(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	task := e.Sequence.Tasks[e.Baton.TaskIndex]
	data := taskData(e, task)
	ev, err := en.events.New(keptn.TaskType(task.Name, "triggered"), Source, e.Scope.KeptnContext, "", data)
	if err != nil {
		return err
	}
	ev.GitCommitID = e.Scope.GitCommitID
	e.Baton.DispatchDue = time.Time{}
	e.Baton.Deadline = ms(en.clock.Now().Add(en.cfg.StartedTimeout))
	e.Status.CurrentTask = keptn.TaskState{Name: task.Name, TriggeredID: ev.ID}
	e.Status.State = keptn.StateStarted
	if task.Name == approvalTask {
		e.Status.State = keptn.StateWaitingForApproval
	}
	e.Baton.LatestEvent = ref(ev)
	if err := en.schedule(tx, e); err != nil {
		return err
	}
	if err := en.save(tx, e); err != nil {
		return err
	}
	if err := tx.AddOpenEvent(keptn.OpenEvent{ID: ev.ID, Type: ev.Type, Project: e.Scope.Project, Stage: e.Scope.Stage,
		Service: e.Scope.Service, ExecutionID: e.ID, Due: ev.When()}); err != nil {
		return err
	}
	en.signalOpened(tx, ev.Type)
	if err := en.events.Append(ctx, tx, ev); err != nil {
		return err
	}
	if task.Name == approvalTask {
		return en.approve(ctx, tx, ev, data, task)
	}
	return nil
}

// nextData is the data the next event of e carries (Keptn's
// GetNextTriggeredEventData): the sequence's input, then every completed
// task's finished data in order, then the last task's result and status.
func nextData(e *keptn.SequenceExecution) map[string]any {
	data := mergeMaps(nil, e.InputProperties)
	for _, pt := range e.Status.PreviousTasks {
		data = mergeMaps(data, pt.Properties)
	}
	if n := len(e.Status.PreviousTasks); n > 0 {
		data["result"] = e.Status.PreviousTasks[n-1].Result
		data["status"] = e.Status.PreviousTasks[n-1].Status
	}
	// Keptn sets the scope before merging task data; baton sets it last so
	// an executor echoing a wrong scope cannot move the sequence.
	data["project"], data["stage"], data["service"] = e.Scope.Project, e.Scope.Stage, e.Scope.Service
	delete(data, "message")
	return data
}

// taskData is the payload of a task's .triggered: nextData plus the task's
// shipyard properties merged under data.<task>.
func taskData(e *keptn.SequenceExecution, task keptn.Task) map[string]any {
	data := nextData(e)
	if len(task.Properties) > 0 {
		cur, _ := data[task.Name].(map[string]any)
		data[task.Name] = mergeMaps(cur, task.Properties)
	}
	return data
}
