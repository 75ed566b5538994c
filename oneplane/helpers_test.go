package oneplane_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const shipyard = `apiVersion: spec.keptn.sh/0.2.4
kind: Shipyard
metadata:
  name: shop
spec:
  stages:
    - name: staging
      sequences:
        - name: delivery
          tasks:
            - name: deployment
            - name: test
    - name: prod
      sequences:
        - name: delivery
          triggeredOn:
            - event: staging.delivery.finished
          tasks:
            - name: release
`

const tasksYAML = `apiVersion: baton.dev/v1
kind: AppConfigTasks
tasks:
  deployment:
    application: shop
    environment: staging
    configurationProfile: flags
    deploymentStrategy: linear25
`

// plane is a baton on a fake clock with a Keptn project "shop" (service
// "web") and an AppConfig application "shop" (environment "staging",
// hosted profile "flags" with one version, strategy "linear25": 25% every
// minute over 4 minutes, 1 minute bake).
type plane struct {
	t     *testing.T
	in    *batontest.Instance
	clock *clock.Fake
	ac    *appconfig.Client
	sqs   *sqs.Client
	ctx   context.Context
	app   string
	env   string
}

func start(t *testing.T, cfg server.Config) *plane {
	t.Helper()
	fc := clock.NewFake(t0)
	cfg.Clock = fc
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	in := batontest.Start(t, cfg)
	id, secret := in.AWSKeys()
	p := &plane{t: t, in: in, clock: fc, ctx: context.Background(),
		ac: appconfig.New(appconfig.Options{BaseEndpoint: aws.String(in.URL), Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")}),
		sqs: sqs.New(sqs.Options{BaseEndpoint: aws.String(in.URL), Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})}
	p.keptn("POST", "/api/controlPlane/v1/project", map[string]any{"name": "shop",
		"shipyard": base64.StdEncoding.EncodeToString([]byte(shipyard))}, 201)
	p.keptn("POST", "/api/controlPlane/v1/project/shop/service", map[string]any{"serviceName": "web"}, 200)
	app, err := p.ac.CreateApplication(p.ctx, &appconfig.CreateApplicationInput{Name: aws.String("shop")})
	p.must(err)
	p.app = *app.Id
	env, err := p.ac.CreateEnvironment(p.ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("staging"),
		Monitors: []types.Monitor{{AlarmArn: aws.String("arn:aws:cloudwatch:us-east-1:000000000000:alarm:shop-errors")}}})
	p.must(err)
	p.env = *env.Id
	prof, err := p.ac.CreateConfigurationProfile(p.ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: app.Id,
		Name: aws.String("flags"), LocationUri: aws.String("hosted")})
	p.must(err)
	_, err = p.ac.CreateHostedConfigurationVersion(p.ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id,
		ConfigurationProfileId: prof.Id, Content: []byte(`{"checkout":"v2"}`), ContentType: aws.String("application/json")})
	p.must(err)
	_, err = p.ac.CreateDeploymentStrategy(p.ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("linear25"),
		DeploymentDurationInMinutes: aws.Int32(4), GrowthFactor: aws.Float32(25), GrowthType: types.GrowthTypeLinear,
		FinalBakeTimeInMinutes: 1, ReplicateTo: types.ReplicateToNone})
	p.must(err)
	p.putResource("/stage/staging", "appconfig.yaml", tasksYAML, 201)
	return p
}

func (p *plane) must(err error) {
	p.t.Helper()
	if err != nil {
		p.t.Fatal(err)
	}
}

// keptn sends a request to the Keptn API and checks the status.
func (p *plane) keptn(method, path string, body any, want int) []byte {
	p.t.Helper()
	st, b := p.in.Do(method, path, body)
	if st != want {
		p.t.Fatalf("%s %s: %d %s, want %d", method, path, st, b, want)
	}
	return b
}

func (p *plane) putResource(level, uri, content string, want int) []byte {
	p.t.Helper()
	return p.keptn("POST", "/api/resource-service/v1/project/shop"+level+"/resource", map[string]any{"resources": []map[string]string{
		{"resourceURI": uri, "resourceContent": base64.StdEncoding.EncodeToString([]byte(content))}}}, want)
}

// triggerDelivery starts shop's staging delivery for service web.
func (p *plane) triggerDelivery(data map[string]any) string {
	p.t.Helper()
	d := map[string]any{"project": "shop", "stage": "staging", "service": "web"}
	for k, v := range data {
		d[k] = v
	}
	b := p.keptn("POST", "/api/v1/event", map[string]any{"type": "sh.keptn.event.staging.delivery.triggered",
		"source": "test", "data": d}, 200)
	var r struct{ KeptnContext string }
	json.Unmarshal(b, &r)
	return r.KeptnContext
}

type event struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Source      string         `json:"source"`
	TriggeredID string         `json:"triggeredid"`
	Context     string         `json:"shkeptncontext"`
	Data        map[string]any `json:"data"`
}

// history returns the events of a context (of type typ when set), oldest first.
func (p *plane) history(kc, typ string) []event {
	p.t.Helper()
	q := "/api/mongodb-datastore/event?pageSize=100&keptnContext=" + kc
	if typ != "" {
		q += "&type=" + url.QueryEscape(typ)
	}
	var page struct{ Events []event }
	if err := json.Unmarshal(p.keptn("GET", q, nil, 200), &page); err != nil {
		p.t.Fatal(err)
	}
	evs := page.Events
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}

// waitFor polls the history of kc (with a deadline) until an event of typ
// exists; tick runs between polls (to move the fake clock on).
func (p *plane) waitFor(kc, typ string, tick func()) event {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if evs := p.history(kc, typ); len(evs) > 0 {
			return evs[len(evs)-1]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no %s event in context %s; history: %v", typ, kc, typesOf(p.history(kc, "")))
		}
		if tick != nil {
			tick()
		}
		time.Sleep(5 * time.Millisecond) // polling the history with a deadline
	}
}

// firstStep waits for the task's deployment to start, moves the clock on to
// its first growth step (25%) and waits for that step's .status.changed.
func (p *plane) firstStep(kc string) {
	p.t.Helper()
	p.waitFor(kc, "sh.baton.appconfig.deployment.started", nil)
	p.minute()
	p.waitFor(kc, "sh.keptn.event.deployment.status.changed", nil)
}

// minute moves the fake clock on by a minute.
func (p *plane) minute() { p.clock.Advance(time.Minute) }

func typesOf(evs []event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}
