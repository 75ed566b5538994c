package oneplane_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"

	"github.com/batonhq/baton/server"
)

const slo = `spec_version: "1.0"
comparison:
  compare_with: single_result
  include_result_with_score: all
  number_of_comparison_results: 1
  aggregate_function: avg
objectives:
  - sli: response_time_p95
    pass:
      - criteria: ["<600"]
total_score:
  pass: "90%"
  warning: "75%"
`

// TestFailedEvaluationDuringBakeRollsBack: the environment monitors a Keptn
// quality gate instead of an alarm; when the rollout starts baking, baton
// evaluates shop/staging/web over the rollout so far, the SLI provider
// reports a slow response time, the evaluation fails, and the deployment
// rolls back, failing the task.
func TestFailedEvaluationDuringBakeRollsBack(t *testing.T) {
	p, kc := bakeWithGate(t, 950)

	fin := p.waitFor(kc, "sh.keptn.event.deployment.finished", nil)
	msg, _ := fin.Data["message"].(string)
	if fin.Data["result"] != "fail" || !strings.Contains(msg, "Keptn evaluation of shop/staging/web: result fail") {
		t.Fatalf("task finished: %v", fin.Data)
	}
	d, err := p.ac.GetDeployment(p.ctx, &appconfig.GetDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)
	if d.State != types.DeploymentStateRolledBack {
		t.Fatalf("deployment %s", d.State)
	}
}

// TestPassedEvaluationLetsBakeComplete: the gate passes; the deployment
// completes when the bake ends.
func TestPassedEvaluationLetsBakeComplete(t *testing.T) {
	p, kc := bakeWithGate(t, 200)
	if ev := p.waitFor(kc, "sh.keptn.event.evaluation.finished", nil); ev.Data["result"] != "pass" {
		t.Fatalf("evaluation: %v", ev.Data)
	}
	if evs := p.history(kc, "sh.keptn.event.deployment.finished"); len(evs) != 0 {
		t.Fatalf("task finished before the bake ended: %+v", evs)
	}
	p.minute()
	if fin := p.waitFor(kc, "sh.keptn.event.deployment.finished", nil); fin.Data["result"] != "pass" {
		t.Fatalf("task finished: %v", fin.Data)
	}
}

// bakeWithGate runs the delivery into the bake of its rollout with a
// quality gate monitor and answers the gate's get-sli with response time rt.
func bakeWithGate(t *testing.T, rt float64) (*plane, string) {
	t.Helper()
	p := start(t, server.Config{})
	p.keptn("PUT", "/api/controlPlane/v1/project/shop/monitoring", map[string]any{"project": "shop", "sliProvider": "my-provider"}, 200)
	p.putResource("/stage/staging/service/web", "slo.yaml", slo, 201)
	gate := "arn:aws:cloudwatch:us-east-1:000000000000:alarm:keptn-evaluation/shop/staging/web"
	_, err := p.ac.UpdateEnvironment(p.ctx, &appconfig.UpdateEnvironmentInput{ApplicationId: &p.app, EnvironmentId: &p.env,
		Monitors: []types.Monitor{{AlarmArn: aws.String(gate)}}})
	p.must(err)

	kc := p.triggerDelivery(nil)
	p.firstStep(kc)
	for range 3 { // 50%, 75%, 100% and the bake
		p.minute()
	}
	gs := p.waitFor(kc, "sh.keptn.event.get-sli.triggered", nil)
	p.keptn("POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.get-sli.finished", "source": "my-provider",
		"shkeptncontext": kc, "triggeredid": gs.ID, "data": map[string]any{"project": "shop", "stage": "staging", "service": "web",
			"result": "pass", "status": "succeeded", "get-sli": map[string]any{"start": gs.Data["get-sli"].(map[string]any)["start"],
				"end": gs.Data["get-sli"].(map[string]any)["end"], "indicatorValues": []map[string]any{
					{"metric": "response_time_p95", "value": rt, "success": true}}}}}, 200)

	return p, kc
}
