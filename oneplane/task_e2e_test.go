package oneplane_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"

	"github.com/batonhq/baton/oneplane"
	"github.com/batonhq/baton/server"
)

// lifecycle is the part of a history the plane and the task flow write.
func lifecycle(evs []event) []string {
	var out []string
	for _, e := range evs {
		switch {
		case strings.HasPrefix(e.Type, "sh.baton.appconfig.deployment."), strings.HasPrefix(e.Type, "sh.keptn.event.deployment."),
			e.Type == "sh.keptn.event.test.triggered":
			s := strings.TrimPrefix(strings.TrimPrefix(e.Type, "sh.keptn.event."), "sh.baton.appconfig.")
			if m, _ := e.Data["message"].(string); m != "" && strings.HasSuffix(e.Type, "status.changed") {
				s += " " + m
			}
			if r, _ := e.Data["result"].(string); r != "" && strings.HasSuffix(e.Type, ".finished") {
				s += " " + r
			}
			out = append(out, s)
		}
	}
	return out
}

func TestDeliveryRunsDeploymentTaskThenTest(t *testing.T) {
	p := start(t, server.Config{})
	kc := p.triggerDelivery(nil)
	p.waitFor(kc, "sh.keptn.event.test.triggered", p.minute)

	want := []string{
		"deployment.triggered",
		"deployment.started",
		"deployment.started", // sh.baton.appconfig.deployment.started
		"deployment.progressed",
		"deployment.status.changed AppConfig deployment 1: 25% of clients",
		"deployment.progressed",
		"deployment.status.changed AppConfig deployment 1: 50% of clients",
		"deployment.progressed",
		"deployment.status.changed AppConfig deployment 1: 75% of clients",
		"deployment.progressed",
		"deployment.status.changed AppConfig deployment 1: 100% of clients",
		"deployment.baking",
		"deployment.status.changed AppConfig deployment 1: 100% of clients, baking (bake time 1 min)",
		"deployment.completed",
		"deployment.finished pass",
		"test.triggered",
	}
	got := lifecycle(p.history(kc, ""))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	started := p.history(kc, "sh.baton.appconfig.deployment.started")[0]
	facts, _ := started.Data["appconfig"].(map[string]any)
	if started.Data["project"] != "shop" || started.Data["stage"] != "staging" || started.Data["service"] != "web" ||
		facts["DeploymentNumber"] != "1" || facts["ConfigurationVersion"] != "1" || facts["State"] != "DEPLOYING" ||
		facts["Type"] != "OnDeploymentStart" {
		t.Fatalf("lifecycle event data: %v", started.Data)
	}
	d, err := p.ac.GetDeployment(p.ctx, &appconfig.GetDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)
	if d.State != types.DeploymentStateComplete {
		t.Fatalf("deployment state %s", d.State)
	}

	// The tester answers; the delivery finishes and prod's delivery follows.
	tr := p.history(kc, "sh.keptn.event.test.triggered")[0]
	for _, phase := range []string{"started", "finished"} {
		p.keptn("POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.test." + phase, "source": "tester",
			"shkeptncontext": kc, "triggeredid": tr.ID, "data": map[string]any{"project": "shop", "stage": "staging",
				"service": "web", "result": "pass", "status": "succeeded"}}, 200)
	}
	p.waitFor(kc, "sh.keptn.event.prod.delivery.triggered", nil)
}

func TestStopDeploymentFailsTaskAndSequence(t *testing.T) {
	p := start(t, server.Config{})
	kc := p.triggerDelivery(nil)
	p.firstStep(kc)
	_, err := p.ac.StopDeployment(p.ctx, &appconfig.StopDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)

	fin := p.waitFor(kc, "sh.keptn.event.staging.delivery.finished", nil)
	if fin.Data["result"] != "fail" || !strings.Contains(fin.Data["message"].(string), "Rollback initiated by user") {
		t.Fatalf("delivery finished: %v", fin.Data)
	}
	task := p.history(kc, "sh.keptn.event.deployment.finished")
	if len(task) != 1 || task[0].Data["result"] != "fail" || task[0].Data["status"] != "errored" {
		t.Fatalf("task finished events: %+v", task)
	}
	rb := p.history(kc, "sh.baton.appconfig.deployment.rolledback")
	if len(rb) != 1 || rb[0].Data["appconfig"].(map[string]any)["State"] != "ROLLED_BACK" {
		t.Fatalf("rolledback events: %+v", rb)
	}
	// The chain runs in the transaction of the delivery's .finished: had
	// prod been triggered, it would be in the history now.
	for _, typ := range []string{"sh.keptn.event.test.triggered", "sh.keptn.event.prod.delivery.triggered"} {
		if evs := p.history(kc, typ); len(evs) != 0 {
			t.Fatalf("%s after a failed deployment: %+v", typ, evs)
		}
	}
}

func TestAbortingSequenceStopsDeployment(t *testing.T) {
	p := start(t, server.Config{})
	kc := p.triggerDelivery(nil)
	p.waitFor(kc, "sh.baton.appconfig.deployment.started", nil)
	p.keptn("POST", "/api/controlPlane/v1/sequence/shop/"+kc+"/control", map[string]any{"state": "abort"}, 200)

	d, err := p.ac.GetDeployment(p.ctx, &appconfig.GetDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)
	if d.State != types.DeploymentStateRolledBack {
		t.Fatalf("deployment state after abort: %s", d.State)
	}
	rb := p.history(kc, "sh.baton.appconfig.deployment.rolledback")
	if len(rb) != 1 || !strings.Contains(rb[0].Data["message"].(string), "aborting sequence") {
		t.Fatalf("rolledback events: %+v", rb)
	}
}

func TestDeploymentVersionFromEventAndRefusals(t *testing.T) {
	p := start(t, server.Config{})
	// data.appconfig.version names a version that does not exist: the task
	// starts and fails with the reason, and no deployment starts.
	kc := p.triggerDelivery(map[string]any{"appconfig": map[string]any{"version": 7}})
	fin := p.waitFor(kc, "sh.keptn.event.deployment.finished", nil)
	if fin.Data["result"] != "fail" || !strings.Contains(fin.Data["message"].(string), "not found") {
		t.Fatalf("finished: %v", fin.Data)
	}
	if n := len(p.history(kc, "sh.keptn.event.deployment.started")); n != 1 {
		t.Fatalf("%d .started events", n)
	}
	list, err := p.ac.ListDeployments(p.ctx, &appconfig.ListDeploymentsInput{ApplicationId: &p.app, EnvironmentId: &p.env})
	p.must(err)
	if len(list.Items) != 0 {
		t.Fatalf("deployments: %+v", list.Items)
	}
}

func TestInvalidAppConfigYAMLIsRefusedWithLine(t *testing.T) {
	p := start(t, server.Config{})
	bad := "apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks:\n  deployment:\n    application: shop\n    environment: staging\n    deploymentStrategy: quick\n    colour: blue\n"
	b := p.putResource("/stage/staging", "appconfig.yaml", bad, 400)
	if !strings.Contains(string(b), "line 8") || !strings.Contains(string(b), "colour") {
		t.Fatalf("answer: %s", b)
	}
}

func TestAlarmDuringRolloutFailsTask(t *testing.T) {
	p := start(t, server.Config{})
	kc := p.triggerDelivery(nil)
	p.firstStep(kc)
	p.keptn("PUT", "/baton/v1/alarms/shop-errors", map[string]any{"State": "ALARM", "Reason": "5xx rate"}, 200)

	fin := p.waitFor(kc, "sh.keptn.event.deployment.finished", nil)
	if fin.Data["result"] != "fail" || !strings.Contains(fin.Data["message"].(string), "Rollback initiated by alarm") {
		t.Fatalf("task finished: %v", fin.Data)
	}
	rb := p.waitFor(kc, "sh.baton.appconfig.deployment.rolledback", nil)
	if f := rb.Data["appconfig"].(map[string]any); f["TriggeredBy"] != "CLOUDWATCH_ALARM" || f["Type"] != "OnDeploymentRolledBack" {
		t.Fatalf("rolledback facts: %v", f)
	}
}

func TestDeploymentWithoutTaskHasItsOwnContext(t *testing.T) {
	p := start(t, server.Config{})
	profs, err := p.ac.ListConfigurationProfiles(p.ctx, &appconfig.ListConfigurationProfilesInput{ApplicationId: &p.app})
	p.must(err)
	strategies, err := p.ac.ListDeploymentStrategies(p.ctx, &appconfig.ListDeploymentStrategiesInput{})
	p.must(err)
	var strategy string
	for _, s := range strategies.Items {
		if aws.ToString(s.Name) == "linear25" {
			strategy = *s.Id
		}
	}
	d, err := p.ac.StartDeployment(p.ctx, &appconfig.StartDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env,
		ConfigurationProfileId: profs.Items[0].Id, ConfigurationVersion: aws.String("1"), DeploymentStrategyId: &strategy})
	p.must(err)
	arn := "arn:aws:appconfig:us-east-1:000000000000:application/" + p.app + "/environment/" + p.env + "/deployment/1"
	kc := oneplane.ContextOf(arn)
	started := p.waitFor(kc, "sh.baton.appconfig.deployment.started", nil)
	if started.Data["project"] != "shop" || started.Data["stage"] != "staging" || started.Data["service"] != "flags" {
		t.Fatalf("scope of a deployment no task started: %v", started.Data)
	}
	if f := started.Data["appconfig"].(map[string]any); f["DeploymentArn"] != arn || f["DeploymentNumber"] != fmt.Sprint(d.DeploymentNumber) {
		t.Fatalf("facts: %v", f)
	}
	_, err = p.ac.StopDeployment(p.ctx, &appconfig.StopDeploymentInput{ApplicationId: &p.app, EnvironmentId: &p.env, DeploymentNumber: aws.Int32(1)})
	p.must(err)
	p.waitFor(kc, "sh.baton.appconfig.deployment.rolledback", nil)
	if n := len(p.history(kc, "")); n != 2 {
		t.Fatalf("%d events in the deployment's context, want started and rolledback", n)
	}
}

func TestExtensionRollBackFailsTask(t *testing.T) {
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"Directive":"ROLL_BACK","Description":"error budget exhausted"}`)
	}))
	t.Cleanup(fn.Close)
	p := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	_, err := p.ac.CreateExtension(p.ctx, &appconfig.CreateExtensionInput{Name: aws.String("budget"),
		Actions: map[string][]types.Action{"AT_DEPLOYMENT_TICK": {{Name: aws.String("check"), Uri: &fn.URL}}}})
	p.must(err)
	_, err = p.ac.CreateExtensionAssociation(p.ctx, &appconfig.CreateExtensionAssociationInput{ExtensionIdentifier: aws.String("budget"),
		ResourceIdentifier: aws.String("arn:aws:appconfig:us-east-1:000000000000:application/" + p.app)})
	p.must(err)
	kc := p.triggerDelivery(nil)
	fin := p.waitFor(kc, "sh.keptn.event.deployment.finished", p.minute)
	if fin.Data["result"] != "fail" || fin.Data["message"] != "AppConfig deployment 1 rolled back: error budget exhausted" {
		t.Fatalf("task finished: %v", fin.Data)
	}
	p.waitFor(kc, "sh.keptn.event.staging.delivery.finished", nil)
}
