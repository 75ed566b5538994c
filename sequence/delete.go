package sequence

import (
	"context"

	"github.com/batonhq/baton/keptn"
)

// OnDelete implements keptn.DeleteHook: it aborts every execution of the
// project (or service) that has not ended, in the deleting transaction.
// Each ends in state aborted with result fail and a message naming what was
// deleted, emits its .finished, and drops its open events and timers.
// Waiting executions end first, so ending a running one starts nothing.
func (en *Engine) OnDelete(ctx context.Context, tx keptn.Tx, project, service string) error {
	execs, err := tx.ActiveExecutions(project, service)
	if err != nil {
		return err
	}
	msg := "sequence aborted: project " + project + " was deleted"
	if service != "" {
		msg = "sequence aborted: service " + service + " was deleted from project " + project
	}
	ids := make([]string, 0, len(execs))
	for _, e := range execs {
		ids = append(ids, e.ID)
	}
	for _, slot := range []bool{false, true} {
		err := en.each(tx, ids, func(e *keptn.SequenceExecution) error {
			if e.HoldsSlot() != slot {
				return nil
			}
			return en.finish(ctx, tx, e, keptn.StateAborted, keptn.ResultFail, keptn.StatusAborted, msg)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
