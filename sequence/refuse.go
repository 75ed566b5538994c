package sequence

import (
	"github.com/batonhq/baton/keptn"
)

// recordRefused stores a sequence refused at trigger time (unknown stage,
// no such sequence, unknown service) as an execution that ended at once,
// failed, with the reason as its message. It is listed by GET /sequence and
// /sequence-execution like any other, so a watcher sees it end, and it never
// holds a slot. fin is the errored .finished that answers the trigger; msg its reason.
func (en *Engine) recordRefused(tx keptn.Tx, ev *keptn.Event, t keptn.EventType, input map[string]any, fin *keptn.Event, msg string) error {
	now := en.clock.Now().UTC()
	e := &keptn.SequenceExecution{
		ID:       ev.ID,
		Sequence: keptn.Sequence{Name: t.Sequence, Tasks: []keptn.Task{}},
		Status:   keptn.SequenceStatus{State: keptn.StateFinished, PreviousTasks: []keptn.TaskResult{}},
		Scope: keptn.SequenceScope{
			Project: str(input, "project"), Stage: t.Stage, Service: str(input, "service"), Labels: labels(input),
			Result: keptn.ResultFail, Status: keptn.StatusErrored, Message: msg,
			KeptnContext: ev.Shkeptncontext, TriggeredID: ev.ID, GitCommitID: ev.GitCommitID, EventType: ev.Type,
		},
		InputProperties: input,
		TriggeredAt:     now,
	}
	e.Baton.EndedAt = now
	e.Baton.Image, _ = path(input, "configurationChange", "values", "image").(string)
	e.Baton.LatestEvent, e.Baton.LatestFailedEvent = ref(fin), ref(fin)
	en.logEnded(tx, e)
	others, err := tx.ExecutionsByContext(ev.Shkeptncontext)
	if err != nil {
		return err
	}
	for _, o := range others {
		if !o.Ended() {
			// The context runs other sequences: its summary keeps their state.
			return tx.PutExecution(e)
		}
	}
	return en.save(tx, e)
}
