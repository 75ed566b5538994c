package lighthouse

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/batonhq/baton/keptn"
)

// TriggerParams is the body of POST …/evaluation (Keptn's
// CreateEvaluationParams).
type TriggerParams struct {
	Start       string            `json:"start"`
	End         string            `json:"end"`
	Timeframe   string            `json:"timeframe"`
	Labels      map[string]string `json:"labels"`
	GitCommitID string            `json:"gitcommitid"`
}

// Trigger starts the built-in evaluation sequence of a service in a stage,
// as Keptn's shipyard-controller did: it checks the service exists in the
// stage, computes start and end, and sends
// sh.keptn.event.<stage>.evaluation.triggered in a new keptnContext, which
// it returns. Errors are CodeBadRequest, as in Keptn.
func (e *Evaluator) Trigger(ctx context.Context, project, stage, service string, p TriggerParams) (string, error) {
	if err := CheckTimeframe(p.Start, p.End, p.Timeframe); err != nil {
		return "", keptn.Errorf(keptn.CodeBadRequest, "Invalid request format: %v", err)
	}
	from, to, err := Timeframe(p.Start, p.End, p.Timeframe, e.clock.Now())
	if err != nil {
		return "", keptn.Errorf(keptn.CodeBadRequest, "%v", err)
	}
	data := map[string]any{"project": project, "stage": stage, "service": service,
		"evaluation": map[string]string{"start": FormatTime(from), "end": FormatTime(to)}}
	if len(p.Labels) > 0 {
		data["labels"] = p.Labels
	}
	ev, err := e.events.New(keptn.SequenceType(stage, "evaluation", "triggered"), keptn.DefaultSource, uuid.NewString(), "", data)
	if err != nil {
		return "", err
	}
	ev.GitCommitID = p.GitCommitID
	err = e.store.Update(ctx, func(tx keptn.Tx) error {
		if err := checkService(tx, project, stage, service); err != nil {
			return err
		}
		return e.events.Append(ctx, tx, ev)
	})
	if err != nil {
		return "", err
	}
	return ev.Shkeptncontext, nil
}

// checkService reports, as Keptn did, which of project, stage and service
// does not exist.
func checkService(tx keptn.Tx, project, stage, service string) error {
	_, err := tx.Shipyard(project)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return keptn.Errorf(keptn.CodeBadRequest, "project not found: %s", project)
	}
	if err != nil {
		return err
	}
	if ok, err := tx.StageExists(project, stage); err != nil || !ok {
		if err != nil {
			return err
		}
		return keptn.Errorf(keptn.CodeBadRequest, "stage not found: %s in project %s", stage, project)
	}
	if ok, err := tx.ServiceExists(project, service); err != nil || !ok {
		if err != nil {
			return err
		}
		return keptn.Errorf(keptn.CodeBadRequest, "service not found: %s in stage %s of project %s", service, stage, project)
	}
	return nil
}

// Provider returns a project's SLI provider ("" when none is set).
func (e *Evaluator) Provider(ctx context.Context, project string) (string, error) {
	return e.store.ProjectSLIProvider(ctx, project)
}

// Configure sets a project's SLI provider the Keptn way: it sends
// sh.keptn.event.monitoring.configure (as `keptn configure monitoring`
// does), which the evaluator applies in the same transaction. Unknown
// projects are CodeNotFound.
func (e *Evaluator) Configure(ctx context.Context, project, service, provider string) error {
	if err := ValidateProvider(provider); err != nil {
		return err
	}
	if _, err := e.store.ProjectSLIProvider(ctx, project); err != nil {
		return err
	}
	raw, err := json.Marshal(map[string]string{"project": project, "service": service, "type": provider})
	if err != nil {
		return err
	}
	_, err = e.events.Ingest(ctx, &keptn.Event{Type: TypeConfigureMonitoring, Source: keptn.DefaultSource, Data: raw})
	return err
}

// ClearProvider removes a project's SLI provider.
func (e *Evaluator) ClearProvider(ctx context.Context, project string) error {
	return e.store.Update(ctx, func(tx keptn.Tx) error { return tx.SetSLIProvider(project, "") })
}
