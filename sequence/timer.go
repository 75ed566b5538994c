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

// What a timer does when it fires.
const (
	timerDispatch = "dispatch" // send a triggeredAfter-delayed task
	timerStarted  = "started"  // the started timeout of a dispatched task
	timerFinished = "finished" // the finished timeout of a started task
)

// timer is the payload of a sequence.timer outbox item. The item's key is the
// execution id, so completing a task cancels its timers.
type timer struct {
	Execution   string `json:"execution"`
	What        string `json:"what"`
	Index       int    `json:"index,omitempty"`
	TriggeredID string `json:"triggeredID,omitempty"`
}

// arm stores a timer for e, due at due on the engine's clock.
func (en *Engine) arm(tx keptn.Tx, e *keptn.SequenceExecution, t timer, due time.Time) error {
	t.Execution = e.ID
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return tx.Enqueue(keptn.Job{Kind: TimerKind, Key: e.ID, Payload: raw, Due: due})
}

// FireTimer handles a due timer inside tx. A timer that no longer applies
// (the task completed, the sequence ended or is paused) does nothing, so a
// timer delivered twice is harmless.
func (en *Engine) FireTimer(ctx context.Context, tx keptn.Tx, payload []byte) error {
	var t timer
	if err := json.Unmarshal(payload, &t); err != nil {
		return fmt.Errorf("decode sequence timer: %w", err)
	}
	e, err := tx.Execution(t.Execution)
	if err != nil || e == nil || e.Ended() || e.Status.State == keptn.StatePaused {
		return err // resume re-arms the timers of a paused execution
	}
	cur := e.Status.CurrentTask
	switch t.What {
	case timerDispatch:
		if e.Baton.TaskIndex == t.Index && cur.TriggeredID == "" && !e.Baton.DispatchDue.IsZero() {
			return en.sendTask(ctx, tx, e)
		}
	case timerStarted:
		if cur.TriggeredID == t.TriggeredID && len(cur.Events) == 0 {
			msg := "sequence timed out while waiting for task " + keptn.TaskType(cur.Name, "triggered") +
				" to receive a correlating .started or .finished event"
			return en.finish(ctx, tx, e, keptn.StateTimedOut, keptn.ResultFail, keptn.StatusErrored, msg)
		}
	case timerFinished:
		if cur.TriggeredID == t.TriggeredID {
			msg := fmt.Sprintf("sequence timed out: task %s was started but did not finish within %s",
				cur.Name, en.finishedTimeout(e))
			e.Status.PreviousTasks = append(e.Status.PreviousTasks, keptn.TaskResult{
				Name: cur.Name, TriggeredID: cur.TriggeredID, Result: keptn.ResultFail, Status: keptn.StatusErrored,
				Properties: map[string]any{},
			})
			return en.finish(ctx, tx, e, keptn.StateTimedOut, keptn.ResultFail, keptn.StatusErrored, msg)
		}
	}
	return nil
}

// rearm restores the timers of a resumed running execution, counted from now.
func (en *Engine) rearm(ctx context.Context, tx keptn.Tx, e *keptn.SequenceExecution) error {
	cur := e.Status.CurrentTask
	now := en.clock.Now()
	switch {
	case cur.TriggeredID == "":
		return en.dispatch(ctx, tx, e)
	case len(cur.Events) == 0:
		return en.arm(tx, e, timer{What: timerStarted, TriggeredID: cur.TriggeredID}, now.Add(en.cfg.StartedTimeout))
	case e.Baton.Started > e.Baton.Finished:
		if d := en.finishedTimeout(e); d > 0 {
			return en.arm(tx, e, timer{What: timerFinished, TriggeredID: cur.TriggeredID}, now.Add(d))
		}
	}
	return nil
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
