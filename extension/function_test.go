package extension_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"

	"github.com/batonhq/baton/server"
)

// createExtension creates a custom extension whose actions all call fn.
func (e *env) createExtension(name, url string, points ...types.ActionPoint) *appconfig.CreateExtensionOutput {
	e.t.Helper()
	acts := map[string][]types.Action{}
	for _, p := range points {
		acts[string(p)] = []types.Action{{Name: aws.String("call-" + strings.ToLower(string(p))), Uri: &url}}
	}
	return must[*appconfig.CreateExtensionOutput](e.t)(e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{
		Name: &name, Actions: acts,
		Parameters: map[string]types.Parameter{"team": {Required: true}, "token": {Dynamic: true}}}))
}

func (e *env) associateCustom(ext, resource string) {
	e.t.Helper()
	must[*appconfig.CreateExtensionAssociationOutput](e.t)(e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: &ext, ResourceIdentifier: &resource, Parameters: map[string]string{"team": "web"}}))
}

func TestHTTPFunctionBlocksAndRewrites(t *testing.T) {
	e := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	f := e.fixture()
	fn := newFunction(t, func(req map[string]any) (int, string) {
		switch req["Type"] {
		case "PreCreateHostedConfigurationVersion":
			content, _ := base64.StdEncoding.DecodeString(req["Content"].(string))
			if strings.Contains(string(content), "forbidden") {
				return 200, `{"Error":"BadRequestError","Message":"forbidden colors are forbidden"}`
			}
			rewritten := strings.ReplaceAll(string(content), "red", "crimson")
			return 200, `{"Content":"` + base64.StdEncoding.EncodeToString([]byte(rewritten)) + `"}`
		case "PreStartDeployment":
			switch req["Description"] {
			case "friday":
				return 200, `{"Error":"BadRequestError","Message":"no deployments on Friday"}`
			case "rewrite":
				return 200, `{"Content":"` + base64.StdEncoding.EncodeToString([]byte(`{"color":"rewritten"}`)) + `"}`
			}
		}
		return 200, `{}`
	})
	ext := e.createExtension("guard", fn.URL, types.ActionPointPreCreateHostedConfigurationVersion,
		types.ActionPointPreStartDeployment, types.ActionPointOnDeploymentComplete)
	if ext.VersionNumber != 1 || len(*ext.Id) != 7 || *ext.Arn != arn("extension/"+*ext.Id+"/1") {
		t.Fatalf("extension %+v", ext)
	}
	e.associateCustom("guard", arn("application/"+f.app))

	v := must[*appconfig.CreateHostedConfigurationVersionOutput](t)(e.ac.CreateHostedConfigurationVersion(e.ctx,
		&appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &f.app, ConfigurationProfileId: &f.profile,
			Content: []byte(`{"color":"red"}`), ContentType: aws.String("application/json")}))
	if string(v.Content) != `{"color":"crimson"}` || v.VersionNumber != 2 {
		t.Fatalf("version %d content %s", v.VersionNumber, v.Content)
	}
	req := fn.requests()[0]
	prev, _ := req["PreviousContent"].(map[string]any)
	if req["Parameters"].(map[string]any)["team"] != "web" || prev["ContentVersion"] != "1" {
		t.Fatalf("request %v", req)
	}
	_, err := e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{
		ApplicationId: &f.app, ConfigurationProfileId: &f.profile,
		Content: []byte(`{"color":"forbidden"}`), ContentType: aws.String("application/json")})
	apiError(t, err, "BadRequestException", "forbidden colors are forbidden")

	_, err = e.deploy(f.app, f.env, f.profile, f.fast, "friday")
	apiError(t, err, "BadRequestException", "no deployments on Friday")
	if _, err := e.ac.GetDeployment(e.ctx, &appconfig.GetDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env,
		DeploymentNumber: aws.Int32(1)}); err == nil {
		t.Fatal("a refused deployment was created")
	}

	// ON_DEPLOYMENT_COMPLETE reaches the function through the outbox.
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, "monday"))
	e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
	deadline := time.After(10 * time.Second)
	for {
		reqs := fn.requests()
		if last := reqs[len(reqs)-1]; last["Type"] == "OnDeploymentComplete" {
			if last["DeploymentNumber"] != "1" || last["Description"] != "monday" {
				t.Fatalf("event %v", last)
			}
			break
		}
		select {
		case <-fn.seen:
		case <-deadline:
			t.Fatalf("no OnDeploymentComplete; requests %v", reqs)
		}
	}

	// PRE_START_DEPLOYMENT rewrites what the deployment serves; its
	// invocation is on DEPLOYMENT_STARTED.
	d2 := must[*appconfig.StartDeploymentOutput](t)(e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{
		ApplicationId: &f.app, EnvironmentId: &f.env, ConfigurationProfileId: &f.profile, DeploymentStrategyId: &f.fast,
		ConfigurationVersion: aws.String("1"), Description: aws.String("rewrite"),
		DynamicExtensionParameters: map[string]string{"guard#token": "s3cret"}}))
	var pre map[string]any
	for _, r := range fn.requests() {
		if r["Type"] == "PreStartDeployment" && r["Description"] == "rewrite" {
			pre = r
		}
	}
	if p, _ := pre["Parameters"].(map[string]any); p["token"] != "s3cret" || p["team"] != "web" {
		t.Fatalf("PRE_START request %v", pre)
	}
	started := d2.EventLog[len(d2.EventLog)-1]
	if len(started.ActionInvocations) != 1 || *started.ActionInvocations[0].ActionName != "call-pre_start_deployment" {
		t.Fatalf("DEPLOYMENT_STARTED invocations %+v", started.ActionInvocations)
	}
	e.waitState(f.app, f.env, d2.DeploymentNumber, types.DeploymentStateComplete)
	if got := e.served(f.app, f.env, f.profile); got != `{"color":"rewritten"}` {
		t.Fatalf("served %s", got)
	}

	// The extension cannot go while associated; versions grow by Latest-Version-Number.
	_, err = e.ac.DeleteExtension(e.ctx, &appconfig.DeleteExtensionInput{ExtensionIdentifier: aws.String("guard")})
	apiError(t, err, "BadRequestException", "delete its associations")
	_, err = e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{Name: aws.String("guard"),
		Actions: map[string][]types.Action{"ON_DEPLOYMENT_START": {{Name: aws.String("a"), Uri: &fn.URL}}}})
	apiError(t, err, "ConflictException", "Latest-Version-Number")
	v2 := must[*appconfig.CreateExtensionOutput](t)(e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{Name: aws.String("guard"),
		LatestVersionNumber: aws.Int32(1),
		Actions:             map[string][]types.Action{"ON_DEPLOYMENT_START": {{Name: aws.String("a"), Uri: &fn.URL}}}}))
	if v2.VersionNumber != 2 || *v2.Id != *ext.Id {
		t.Fatalf("version 2 %+v", v2)
	}
	g := must[*appconfig.GetExtensionOutput](t)(e.ac.GetExtension(e.ctx, &appconfig.GetExtensionInput{ExtensionIdentifier: ext.Arn}))
	if g.VersionNumber != 1 || len(g.Actions) != 3 {
		t.Fatalf("get by ARN %+v", g)
	}
	must[*appconfig.DeleteExtensionOutput](t)(e.ac.DeleteExtension(e.ctx, &appconfig.DeleteExtensionInput{
		ExtensionIdentifier: aws.String("guard"), VersionNumber: aws.Int32(2)}))
}

func TestTickRollsBack(t *testing.T) {
	e := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	f := e.fixture()
	fn := newFunction(t, func(req map[string]any) (int, string) {
		return 200, `{"Directive":"ROLL_BACK","Description":"Monitor id 123 is not OK"}`
	})
	e.createExtension("monitor", fn.URL, types.ActionPointAtDeploymentTick)
	e.associateCustom("monitor", arn("application/"+f.app+"/environment/"+f.env))
	d := must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.slow, ""))
	e.clock.Advance(5 * time.Minute)
	got := e.waitState(f.app, f.env, d.DeploymentNumber, types.DeploymentStateRolledBack)
	found := false
	for _, ev := range got.EventLog {
		if ev.EventType == types.DeploymentEventTypeRollbackStarted && aws.ToString(ev.Description) == "Monitor id 123 is not OK" &&
			ev.TriggeredBy == types.TriggeredByAppconfig {
			found = true
		}
	}
	if !found {
		t.Fatalf("events %+v", got.EventLog)
	}
	invs := invocations(got)
	if len(invs) != 1 || aws.ToString(invs[0].Uri) != fn.URL || *invs[0].ActionName != "call-at_deployment_tick" {
		t.Fatalf("tick invocations %+v", invs)
	}
	if r := fn.requests(); len(r) == 0 || r[0]["Type"] != "AtDeploymentTick" {
		t.Fatalf("tick requests %v", r)
	}
}

func TestExtensionValidation(t *testing.T) {
	e := start(t, server.Config{})
	for _, c := range []struct {
		point types.ActionPoint
		uri   string
		want  string
	}{
		{types.ActionPointPreStartDeployment, "arn:aws:sqs:us-east-1:000000000000:q", "needs an answer"},
		{types.ActionPointOnDeploymentStart, "arn:aws:lambda:us-east-1:000000000000:function:f", "Lambda"},
		{types.ActionPointOnDeploymentStart, "arn:aws:sns:us-east-1:000000000000:t", "SNS"},
		{types.ActionPointOnDeploymentStart, "ftp://x", "https URL"},
		{types.ActionPointOnDeploymentStart, "http://127.0.0.1:9/hook", "allow-list"},
	} {
		_, err := e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{Name: aws.String("x"),
			Actions: map[string][]types.Action{string(c.point): {{Name: aws.String("a"), Uri: &c.uri}}}})
		apiError(t, err, "BadRequestException", c.want)
	}
	_, err := e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{Name: aws.String("a/b"),
		Actions: map[string][]types.Action{"ON_DEPLOYMENT_START": {{Name: aws.String("a"), Uri: aws.String("https://example.com")}}}})
	apiError(t, err, "BadRequestException", "Name")
}

func TestDeadDeliveryShowsInInvocation(t *testing.T) {
	e := start(t, server.Config{AllowWebhookTargets: []string{"127.0.0.1"}})
	f := e.fixture()
	fn := newFunction(t, func(map[string]any) (int, string) { return 403, `{"message":"go away"}` })
	e.createExtension("rude", fn.URL, types.ActionPointOnDeploymentStart)
	e.associateCustom("rude", arn("application/"+f.app+"/configurationprofile/"+f.profile))
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
		invs := invocations(d)
		if len(invs) != 1 {
			t.Fatalf("invocations %+v", invs)
		}
		if aws.ToString(invs[0].ErrorCode) == "DeliveryFailed" {
			if !strings.Contains(aws.ToString(invs[0].ErrorMessage), "HTTP 403") {
				t.Fatalf("invocation %+v", invs[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("invocation never failed: %+v", invs[0])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestCustomQueueExtensionAtEveryStep(t *testing.T) {
	e := start(t, server.Config{})
	f := e.fixture()
	url, qarn := e.queue("steps", true)
	acts := map[string][]types.Action{}
	for _, p := range []types.ActionPoint{types.ActionPointOnDeploymentStart, types.ActionPointOnDeploymentStep,
		types.ActionPointOnDeploymentBaking, types.ActionPointOnDeploymentComplete} {
		acts[string(p)] = []types.Action{{Name: aws.String("notify"), Uri: &qarn}}
	}
	ext := must[*appconfig.CreateExtensionOutput](t)(e.ac.CreateExtension(e.ctx, &appconfig.CreateExtensionInput{
		Name: aws.String("steps"), Actions: acts}))
	must[*appconfig.CreateExtensionAssociationOutput](t)(e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: ext.Arn, ResourceIdentifier: aws.String(arn("application/" + f.app))}))
	d := must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.slow, ""))
	e.receive(url, 1)
	e.clock.Advance(5 * time.Minute) // 50 %
	e.clock.Advance(5 * time.Minute) // 100 %, bake (0 minutes), complete
	got := e.waitState(f.app, f.env, d.DeploymentNumber, types.DeploymentStateComplete)
	var want []string
	for i := len(got.EventLog) - 1; i >= 0; i-- {
		switch got.EventLog[i].EventType {
		case types.DeploymentEventTypePercentageUpdated:
			want = append(want, "OnDeploymentStep")
		case types.DeploymentEventTypeBakeTimeStarted:
			want = append(want, "OnDeploymentBaking")
		case types.DeploymentEventTypeDeploymentCompleted:
			want = append(want, "OnDeploymentComplete")
		}
	}
	msgs := e.receive(url, len(want))
	for i, w := range want {
		if !strings.Contains(msgs[i], `"Type":"`+w+`"`) || !strings.Contains(msgs[i], `"Parameters":{}`) {
			t.Fatalf("message %d = %s, want %s (events %v)", i, msgs[i], w, want)
		}
	}
	if len(want) < 3 {
		t.Fatalf("events %v", want)
	}
}
