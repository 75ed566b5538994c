package sequence

import (
	"context"
	"fmt"

	"github.com/batonhq/baton/keptn"
)

const (
	approvalTask   = "approval"
	approvalSource = "approval-service"
)

// approve plays Keptn's approval-service for a dispatched approval task: it
// always sends .started, then .finished(fail) when the previous result was
// fail, .finished(pass) when the strategy for the previous result (pass or
// warning) is automatic, and nothing otherwise (manual, also the default):
// a human sends sh.keptn.event.approval.finished with the triggeredid.
func (en *Engine) approve(ctx context.Context, tx keptn.Tx, trig *keptn.Event, data map[string]any, task keptn.Task) error {
	result := str(data, "result")
	if result == "" {
		result = keptn.ResultPass
	}
	strategy := "manual"
	if s, _ := task.Properties[result].(string); s == "automatic" {
		strategy = s
	}
	base := keptn.EventData{Project: str(data, "project"), Stage: str(data, "stage"), Service: str(data, "service"), Labels: labels(data)}
	started := base
	started.Status = keptn.StatusSucceeded
	started.Message = fmt.Sprintf("Approval strategy for result '%s': %s", result, strategy)
	if err := en.emitAnswer(ctx, tx, trig, "started", started); err != nil {
		return err
	}
	fin := base
	fin.Status = keptn.StatusSucceeded
	switch {
	case result == keptn.ResultFail:
		fin.Result = keptn.ResultFail
	case (result == keptn.ResultPass || result == keptn.ResultWarning) && strategy == "automatic":
		fin.Result = keptn.ResultPass
	default:
		return nil
	}
	return en.emitAnswer(ctx, tx, trig, "finished", fin)
}

// emitAnswer emits sh.keptn.event.approval.<phase> answering trig.
func (en *Engine) emitAnswer(ctx context.Context, tx keptn.Tx, trig *keptn.Event, phase string, data keptn.EventData) error {
	ev, err := en.events.New(keptn.TaskType(approvalTask, phase), approvalSource, trig.Shkeptncontext, trig.ID, data)
	if err != nil {
		return err
	}
	return en.events.Append(ctx, tx, ev)
}
