package lighthouse

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// timeoutJob is the payload of a TimeoutKind item.
type timeoutJob struct {
	Event   *keptn.Event `json:"event"` // the get-sli.triggered
	Message string       `json:"message"`
}

// HandleScore is the outbox handler of ScoreKind: it scores a
// get-sli.finished that answers one of the evaluator's get-sli.triggered
// events and emits the evaluation.finished.
func (e *Evaluator) HandleScore(ctx context.Context, it outbox.Item) outbox.Result {
	start := e.clock.Now()
	res := func(err error) outbox.Result {
		r := outbox.Result{Attempt: outbox.Attempt{Started: start, Latency: e.clock.Now().Sub(start)}}
		if err != nil {
			r.Failed, r.Error = true, err.Error()
			e.log.Error("evaluation failed to score", "item", it.ID, "err", err)
		}
		return r
	}
	var fin keptn.Event
	if err := json.Unmarshal(it.Payload, &fin); err != nil {
		r := res(fmt.Errorf("corrupt score job: %w", err))
		r.Permanent = true
		return r
	}
	gs, err := e.event(ctx, fin.TriggeredID)
	if err != nil || gs == nil || gs.Source != Source || gs.Type != TypeGetSLITriggered {
		return res(err) // not an answer to the evaluator
	}
	out, err := e.score(ctx, gs, &fin)
	if err != nil {
		return res(err)
	}
	err = e.store.Update(ctx, func(tx keptn.Tx) error {
		if err := tx.CancelTimers(TimeoutKind, gs.ID); err != nil {
			return err
		}
		return e.finish(ctx, tx, gs.Shkeptncontext, gs.TriggeredID, gs.GitCommitID, out)
	})
	if keptn.ErrorCode(err) == keptn.CodeConflict {
		err = nil // finished already: timed out, or an earlier answer won
	}
	return res(err)
}

// score reads the SLO and the earlier evaluations and scores the answer.
func (e *Evaluator) score(ctx context.Context, gs, fin *keptn.Event) (FinishedData, error) {
	var asked GetSLITriggeredData
	if err := json.Unmarshal(gs.Data, &asked); err != nil {
		return FinishedData{}, fmt.Errorf("decode get-sli.triggered %s: %w", gs.ID, err)
	}
	in := Input{Scope: asked.EventData}
	if err := json.Unmarshal(fin.Data, &in.SLI); err != nil {
		in.SLI = GetSLIFinishedData{EventData: keptn.EventData{Status: keptn.StatusErrored,
			Message: "the get-sli.finished event could not be read: " + err.Error()}}
	}
	if in.SLI.GetSLI.Start == "" && in.SLI.GetSLI.End == "" {
		in.SLI.GetSLI.Start, in.SLI.GetSLI.End = asked.GetSLI.Start, asked.GetSLI.End
	}
	res, err := e.store.Resource(ctx, keptn.ResourceKey{Project: asked.Project, Stage: asked.Stage, Service: asked.Service, URI: SLOURI}, "")
	switch {
	case keptn.ErrorCode(err) == keptn.CodeNotFound:
	case err != nil:
		return FinishedData{}, err
	default:
		slo, perr := ParseSLO(res.Content)
		if perr != nil {
			out := Score(Input{Scope: asked.EventData, SLI: GetSLIFinishedData{EventData: keptn.EventData{Status: keptn.StatusErrored}}})
			out.Message = sloProblem(asked.EventData, perr)
			return out, nil
		}
		in.SLO, in.SLORaw = slo, res.Content
		if in.Previous, err = e.previous(ctx, asked.EventData, slo); err != nil {
			return FinishedData{}, err
		}
	}
	out := Score(in)
	return out, nil
}

// previous returns the earlier evaluations to compare with, newest first:
// lighthouse's own evaluation.finished events of the service in the stage,
// not invalidated, with an included result.
func (e *Evaluator) previous(ctx context.Context, d keptn.EventData, slo *SLO) ([]Previous, error) {
	f := keptn.TypeFilter{Type: TypeEvaluationFinished, Project: []string{d.Project}, Stage: []string{d.Stage},
		Service: []string{d.Service}, Source: []string{Source}, ExcludeInvalidated: true, Limit: slo.comparisonResults()}
	switch slo.Comparison.IncludeResultWithScore {
	case "pass":
		f.Result = []string{keptn.ResultPass}
	case "pass_or_warn":
		f.Result = []string{keptn.ResultPass, keptn.ResultWarning}
	}
	if f.Limit <= 0 {
		return nil, nil
	}
	bodies, err := e.store.EventsByType(ctx, f)
	if err != nil {
		return nil, err
	}
	var out []Previous
	for _, b := range bodies {
		var ev struct {
			ID   string       `json:"id"`
			Data FinishedData `json:"data"`
		}
		if json.Unmarshal(b, &ev) == nil {
			out = append(out, Previous{ID: ev.ID, Data: ev.Data})
		}
	}
	return out, nil
}

// event loads a stored event by id, or nil.
func (e *Evaluator) event(ctx context.Context, id string) (*keptn.Event, error) {
	if id == "" {
		return nil, nil
	}
	bodies, _, err := e.store.Events(ctx, keptn.EventFilter{EventID: id, Limit: 1})
	if err != nil || len(bodies) == 0 {
		return nil, err
	}
	var ev keptn.Event
	if err := json.Unmarshal(bodies[0], &ev); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", id, err)
	}
	return &ev, nil
}

// HandleTimeout is the outbox handler of TimeoutKind: the provider did not
// answer, so the evaluation fails with a message saying so.
func (e *Evaluator) HandleTimeout(ctx context.Context, it outbox.Item) outbox.Result {
	start := e.clock.Now()
	var j timeoutJob
	if err := json.Unmarshal(it.Payload, &j); err != nil || j.Event == nil {
		return outbox.Result{Failed: true, Permanent: true, Attempt: outbox.Attempt{Started: start, Error: "corrupt timeout job"}}
	}
	var asked GetSLITriggeredData
	_ = json.Unmarshal(j.Event.Data, &asked)
	data := FinishedData{
		EventData: keptn.EventData{Project: asked.Project, Stage: asked.Stage, Service: asked.Service, Labels: asked.Labels,
			Result: keptn.ResultFail, Status: keptn.StatusErrored, Message: j.Message},
		Evaluation: Details{TimeStart: asked.GetSLI.Start, TimeEnd: asked.GetSLI.End, Result: keptn.ResultFail},
	}
	err := e.store.Update(ctx, func(tx keptn.Tx) error {
		if err := tx.DeleteOpenEvent(j.Event.ID); err != nil {
			return err
		}
		return e.finish(ctx, tx, j.Event.Shkeptncontext, j.Event.TriggeredID, j.Event.GitCommitID, data)
	})
	if keptn.ErrorCode(err) == keptn.CodeConflict {
		err = nil
	}
	r := outbox.Result{Attempt: outbox.Attempt{Started: start, Latency: e.clock.Now().Sub(start)}}
	if err != nil {
		r.Failed, r.Error = true, err.Error()
	}
	return r
}
