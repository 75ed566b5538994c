package sequence

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// TimerKind is the outbox kind of the engine's timers.
const TimerKind = "sequence.timer"

// An execution has at most a few timer items in the outbox, keyed by its id:
// the engine keeps two due times in the execution (Baton.DispatchDue for a
// triggeredAfter delay, Baton.Deadline for the current task's started or
// finished timeout) and arms an outbox timer only when the next one is
// earlier than the timer already armed (Baton.TimerDue). A timer that fires
// looks at the execution as it is then: it dispatches or times out what is
// due and re-arms for what is not. A task that completes fast therefore
// costs no timer work at all; a whole sequence typically arms one timer and
// cancels it when it ends.

// timer is the payload of a sequence.timer outbox item.
type timer struct {
	Execution string    `json:"execution"`
	Due       time.Time `json:"due"`
}

// ms rounds t down to the millisecond, the outbox's resolution, so a timer
// never fires before the deadline it serves.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// schedule arms an outbox timer if e needs one earlier than the one armed.
func (en *Engine) schedule(tx keptn.Tx, e *keptn.SequenceExecution) error {
	next := e.Baton.DispatchDue
	if d := e.Baton.Deadline; !d.IsZero() && (next.IsZero() || d.Before(next)) {
		next = d
	}
	if next.IsZero() || (!e.Baton.TimerDue.IsZero() && !next.Before(e.Baton.TimerDue)) {
		return nil
	}
	raw, err := json.Marshal(timer{Execution: e.ID, Due: next})
	if err != nil {
		return err
	}
	e.Baton.TimerDue = next
	return tx.Enqueue(keptn.Job{Kind: TimerKind, Key: e.ID, Payload: raw, Due: next})
}

// cancelTimers drops e's pending timers.
func (en *Engine) cancelTimers(tx keptn.Tx, e *keptn.SequenceExecution) error {
	e.Baton.TimerDue = time.Time{}
	return tx.CancelTimers(TimerKind, e.ID)
}

// FireTimer handles a due timer inside tx. A paused or ended execution
// ignores it (resume re-arms); otherwise whatever is due happens and the
// timer is re-armed for what is not, so a timer delivered twice is harmless.
func (en *Engine) FireTimer(ctx context.Context, tx keptn.Tx, payload []byte) error {
	var t timer
	if err := json.Unmarshal(payload, &t); err != nil {
		return fmt.Errorf("decode sequence timer: %w", err)
	}
	e, err := tx.Execution(t.Execution)
	if err != nil || e == nil || e.Ended() || e.Status.State == keptn.StatePaused {
		return err
	}
	if t.Due.Equal(e.Baton.TimerDue) {
		e.Baton.TimerDue = time.Time{} // this timer is spent
	}
	now := en.clock.Now()
	cur := e.Status.CurrentTask
	if due := e.Baton.DispatchDue; cur.TriggeredID == "" && !due.IsZero() && !now.Before(due) {
		return en.sendTask(ctx, tx, e)
	}
	if dl := e.Baton.Deadline; cur.TriggeredID != "" && !dl.IsZero() && !now.Before(dl) {
		return en.timeout(ctx, tx, e)
	}
	if err := en.schedule(tx, e); err != nil {
		return err
	}
	return en.save(tx, e)
}

// timeout ends e timedOut: its current task got no event within the started
// timeout, or was started but did not finish within its finished timeout.
func (en *Engine) timeout(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	cur := e.Status.CurrentTask
	if len(cur.Events) == 0 {
		msg := "sequence timed out while waiting for task " + keptn.TaskType(cur.Name, "triggered") +
			" to receive a correlating .started or .finished event"
		return en.finish(ctx, tx, e, keptn.StateTimedOut, keptn.ResultFail, keptn.StatusErrored, msg)
	}
	msg := fmt.Sprintf("sequence timed out: task %s was started but did not finish within %s", cur.Name, en.finishedTimeout(e))
	e.Status.PreviousTasks = append(e.Status.PreviousTasks, keptn.TaskResult{
		Name: cur.Name, TriggeredID: cur.TriggeredID, Result: keptn.ResultFail, Status: keptn.StatusErrored,
		Properties: map[string]any{},
	})
	return en.finish(ctx, tx, e, keptn.StateTimedOut, keptn.ResultFail, keptn.StatusErrored, msg)
}

// rearm restores the timeouts of a resumed running execution, counted from
// now, and dispatches a task that completed's successor.
func (en *Engine) rearm(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	cur := e.Status.CurrentTask
	now := en.clock.Now()
	switch {
	case cur.TriggeredID == "":
		return en.dispatch(ctx, tx, e)
	case len(cur.Events) == 0:
		e.Baton.Deadline = ms(now.Add(en.cfg.StartedTimeout))
	case e.Baton.Started > e.Baton.Finished && en.finishedTimeout(e) > 0:
		e.Baton.Deadline = ms(now.Add(en.finishedTimeout(e)))
	default:
		e.Baton.Deadline = time.Time{}
	}
	if err := en.schedule(tx, e); err != nil {
		return err
	}
	return en.save(tx, e)
}

// TimerHandler returns the outbox handler for TimerKind: it fires each timer
// in its own write transaction on store.
func (en *Engine) TimerHandler(store keptn.Store) outbox.Handler {
	return func(ctx context.Context, it outbox.Item) outbox.Result {
		start := en.clock.Now()
		err := store.Update(ctx, func(tx keptn.Tx) error { return en.FireTimer(ctx, tx, it.Payload) })
		res := outbox.Result{Attempt: outbox.Attempt{Started: start, Latency: en.clock.Now().Sub(start)}}
		if err != nil {
			res.Failed, res.Error = true, err.Error()
			en.log.Error("sequence timer failed", "item", it.ID, "err", err)
		}
		return res
	}
}
