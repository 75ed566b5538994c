package oneplane

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
)

// EvaluationAlarm starts the name of a monitor alarm that is a Keptn
// quality gate instead of a CloudWatch alarm:
// arn:aws:cloudwatch:<region>:<account>:alarm:keptn-evaluation/<project>/<stage>/<service>.
const EvaluationAlarm = "keptn-evaluation/"

// Event types of the evaluation task the plane triggers during bake.
const (
	typeEvaluationTriggered = "sh.keptn.event.evaluation.triggered"
	typeEvaluationFinished  = "sh.keptn.event.evaluation.finished"
)

// gate is an evaluation monitor: the Keptn scope to evaluate.
type gate struct{ project, stage, service string }

// gateOf returns the evaluation a monitor names, if it names one.
func gateOf(m appconfig.Monitor) (gate, bool) {
	name, err := appconfig.AlarmName(m.AlarmArn)
	if err != nil || !strings.HasPrefix(name, EvaluationAlarm) {
		return gate{}, false
	}
	parts := strings.Split(strings.TrimPrefix(name, EvaluationAlarm), "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return gate{}, false
	}
	return gate{parts[0], parts[1], parts[2]}, true
}

// evaluationID is the id of the evaluation.triggered the plane sends for
// monitor i of a deployment at the start of its bake.
func evaluationID(deploymentArn string, i int) string {
	return derivedID(deploymentArn, fmt.Sprintf("evaluation:%d", i))
}

// startGates triggers, when a deployment starts baking, one Keptn
// evaluation per monitor that names one, over the time since the deployment
// started, in the deployment's context.
func (p *Plane) startGates(ctx context.Context, atx appconfig.Tx, tx keptn.Tx, d *appconfig.Deployment, f *Facts, o *appconfig.TaskOrigin) error {
	var env appconfig.Environment
	if err := atx.Get(ctx, appconfig.KindEnvironment, d.EnvironmentID, &env); err != nil {
		return err
	}
	now := p.clock.Now().UTC()
	for i, m := range env.Monitors {
		g, ok := gateOf(m)
		if !ok {
			continue
		}
		data := map[string]any{"project": g.project, "stage": g.stage, "service": g.service,
			"evaluation": map[string]any{"start": d.StartedAt.UTC().Format(time.RFC3339), "end": now.Format(time.RFC3339)},
			"appconfig":  f}
		ev, err := p.events.New(typeEvaluationTriggered, Source, o.KeptnContext, "", data)
		if err != nil {
			return err
		}
		ev.ID = evaluationID(f.DeploymentArn, i)
		if err := p.events.Append(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// onEvaluationFinished rolls back the baking deployment whose quality gate
// ev answers, when the evaluation failed.
func (p *Plane) onEvaluationFinished(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	data, _ := ev.ParsedData()
	if data.Result != keptn.ResultFail && data.Status != keptn.StatusErrored {
		return nil
	}
	atx, err := p.join.AppConfig(tx)
	if err != nil {
		return err
	}
	active, err := atx.ActiveDeployments(ctx)
	if err != nil {
		return err
	}
	for _, d := range active {
		var env appconfig.Environment
		if err := atx.Get(ctx, appconfig.KindEnvironment, d.EnvironmentID, &env); err != nil {
			return err
		}
		arn := p.ac.ARNs().Deployment(d.ApplicationID, d.EnvironmentID, d.DeploymentNumber)
		for i, m := range env.Monitors {
			g, ok := gateOf(m)
			if !ok || evaluationID(arn, i) != ev.TriggeredID {
				continue
			}
			why := fmt.Sprintf("Rollback initiated by Keptn evaluation of %s/%s/%s: %s", g.project, g.stage, g.service, evaluationOutcome(ev))
			return p.ac.RollBackTx(ctx, atx, d, appconfig.Trigger{By: appconfig.ByAlarm, Description: why})
		}
	}
	return nil
}

// evaluationOutcome summarizes an evaluation.finished: result and score, or
// its message.
func evaluationOutcome(ev *keptn.Event) string {
	var d struct {
		Result     string `json:"result"`
		Message    string `json:"message"`
		Evaluation struct {
			Score *float64 `json:"score"`
		} `json:"evaluation"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	if d.Evaluation.Score != nil {
		return fmt.Sprintf("result %s, score %g", d.Result, *d.Evaluation.Score)
	}
	if d.Message != "" {
		return d.Message
	}
	return "result " + d.Result
}
