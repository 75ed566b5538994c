package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	actypes "github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/batontest"
)

const planeShipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
spec:
  stages:
    - name: staging
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: test
`

type planeEvent struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// planeHistory returns the events of context kc, oldest first.
func planeHistory(t *testing.T, base, kc string) []planeEvent {
	t.Helper()
	var all []planeEvent
	for page := ""; ; {
		st, b := do(t, base, "GET", "/api/mongodb-datastore/event?pageSize=100&keptnContext="+kc+"&nextPageKey="+url.QueryEscape(page), "")
		if st != 200 {
			t.Fatalf("history: %d %s", st, b)
		}
		var p struct {
			Events      []planeEvent
			NextPageKey string
		}
		json.Unmarshal(b, &p)
		all = append(all, p.Events...)
		if p.NextPageKey == "" || p.NextPageKey == "0" || len(p.Events) == 0 {
			break
		}
		page = p.NextPageKey
	}
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all
}

func countType(evs []planeEvent, typ string) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// waitType polls the history (with a deadline) until an event of typ exists.
func waitType(t *testing.T, base, kc, typ string) planeEvent {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, e := range planeHistory(t, base, kc) {
			if e.Type == typ {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in context %s", typ, kc)
		}
		time.Sleep(20 * time.Millisecond) // polling the history with a deadline
	}
}

// TestKillMidRolloutAndMidSequence runs a delivery whose deployment task is
// an AppConfig rollout on the real binary (--time-scale 120), SIGKILLs it
// mid-rollout and again while the next task waits, and checks that the task
// finished once, the deployment ran once, and the queue subscribed to every
// event of the project holds each event of the history exactly once.
func TestKillMidRolloutAndMidSequence(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--time-scale", "120"}
	p := batontest.StartProcess(t, dir, args...)
	ctx := context.Background()
	id, secret := p.AWSKeys()
	creds := credentials.NewStaticCredentialsProvider(id, secret, "")
	ac := appconfig.New(appconfig.Options{BaseEndpoint: aws.String(p.URL), Region: "us-east-1", Credentials: creds})
	sq := sqs.New(sqs.Options{BaseEndpoint: aws.String(p.URL), Region: "us-east-1", Credentials: creds})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ok := func(want int, method, path, body string) []byte {
		t.Helper()
		st, b := do(t, p.URL, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		return b
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	ok(201, "POST", "/api/controlPlane/v1/project", `{"name":"shop","shipyard":"`+b64(planeShipyard)+`"}`)
	ok(200, "POST", "/api/controlPlane/v1/project/shop/service", `{"serviceName":"web"}`)

	app, err := ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("shop")})
	must(err)
	env, err := ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("staging")})
	must(err)
	prof, err := ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: app.Id,
		Name: aws.String("flags"), LocationUri: aws.String("hosted")})
	must(err)
	_, err = ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id,
		ConfigurationProfileId: prof.Id, Content: []byte(`{"a":1}`), ContentType: aws.String("application/json")})
	must(err)
	_, err = ac.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("linear25"),
		DeploymentDurationInMinutes: aws.Int32(4), GrowthFactor: aws.Float32(25), GrowthType: actypes.GrowthTypeLinear,
		FinalBakeTimeInMinutes: 1, ReplicateTo: actypes.ReplicateToNone})
	must(err)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("shop-events"), Attributes: map[string]string{
		"Policy": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"webhook.baton.dev"},"Action":"sqs:SendMessage","Resource":"*"}]}`}})
	must(err)
	qa, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	must(err)
	arn := qa.Attributes["QueueArn"]
	resources := func(uri, content string) string {
		return `{"resources":[{"resourceURI":"` + uri + `","resourceContent":"` + b64(content) + `"}]}`
	}
	ok(201, "POST", "/api/resource-service/v1/project/shop/resource", resources("appconfig.yaml",
		"apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks:\n  deployment:\n    application: shop\n    environment: staging\n"+
			"    configurationProfile: flags\n    deploymentStrategy: linear25\n"))
	ok(201, "POST", "/api/resource-service/v1/project/shop/resource", resources("webhook/webhook.yaml", fmt.Sprintf(
		"apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n"+
			"    - type: sh.keptn.>\n      queues: [%q]\n    - type: sh.baton.>\n      queues: [%q]\n", arn, arn)))

	b := ok(200, "POST", "/api/v1/event", `{"type":"sh.keptn.event.staging.delivery.triggered","source":"crash","data":{"project":"shop","stage":"staging","service":"web"}}`)
	var r struct{ KeptnContext string }
	json.Unmarshal(b, &r)
	kc := r.KeptnContext

	waitType(t, p.URL, kc, "sh.keptn.event.deployment.status.changed")
	p.Kill() // mid-rollout
	p = batontest.StartProcessAt(t, dir, p.Addr, args...)
	tr := waitType(t, p.URL, kc, "sh.keptn.event.test.triggered")
	p.Kill() // mid-sequence: the next task waits for its executor
	p = batontest.StartProcessAt(t, dir, p.Addr, args...)
	for _, phase := range []string{"started", "finished"} {
		ok(200, "POST", "/api/v1/event", `{"type":"sh.keptn.event.test.`+phase+`","source":"tester","shkeptncontext":"`+kc+
			`","triggeredid":"`+tr.ID+`","data":{"project":"shop","stage":"staging","service":"web","result":"pass","status":"succeeded"}}`)
	}
	waitType(t, p.URL, kc, "sh.keptn.event.staging.delivery.finished")

	h := planeHistory(t, p.URL, kc)
	for typ, want := range map[string]int{
		"sh.keptn.event.deployment.triggered": 1, "sh.keptn.event.deployment.started": 1, "sh.keptn.event.deployment.finished": 1,
		"sh.baton.appconfig.deployment.started": 1, "sh.baton.appconfig.deployment.progressed": 4,
		"sh.baton.appconfig.deployment.completed": 1, "sh.keptn.event.test.triggered": 1, "sh.keptn.event.staging.delivery.finished": 1,
	} {
		if got := countType(h, typ); got != want {
			t.Errorf("%d %s events, want %d", got, typ, want)
		}
	}
	list, err := ac.ListDeployments(ctx, &appconfig.ListDeploymentsInput{ApplicationId: app.Id, EnvironmentId: env.Id})
	must(err)
	if len(list.Items) != 1 || list.Items[0].State != actypes.DeploymentStateComplete {
		t.Fatalf("deployments: %+v", list.Items)
	}

	// Every event of the history reached the queue exactly once.
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < len(h) && time.Now().Before(deadline) {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		must(err)
		for _, m := range out.Messages {
			var ev planeEvent
			json.Unmarshal([]byte(*m.Body), &ev)
			got = append(got, ev.ID+" "+ev.Type)
			_, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			must(err)
		}
	}
	out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	must(err)
	if len(out.Messages) != 0 {
		t.Errorf("%d messages beyond the history", len(out.Messages))
	}
	var want []string
	for _, e := range h {
		want = append(want, e.ID+" "+e.Type)
	}
	// Restarting a --time-scale clock sets it back, so the history's time
	// order may differ from commit order here; exactly once is what counts
	// (oneplane's fake-clock tests check the order).
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("queue:\n%s\nhistory:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
