package e2e

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	actypes "github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The loads of TestThreeReplicasOneDatabase: each starts its clients, waits
// for its work to finish and checks the guarantees.

// keptnLoad triggers sequences and runs a remote executor.
type keptnLoad struct {
	c        *cluster
	mu       sync.Mutex
	contexts []string
	hooks    map[string]int       // webhook calls by Idempotency-Key
	first    map[string]time.Time // first call by Idempotency-Key
	killedAt time.Time
	repeats  []string
}

// replicaShipyard's delivery runs a task a remote executor answers
// (deployment), then one a webhook answers (notify).
const replicaShipyard = "apiVersion: spec.keptn.sh/0.2.4\nkind: Shipyard\nspec:\n  stages:\n    - name: dev\n      sequences:\n        - name: delivery\n          tasks:\n            - name: deployment\n            - name: notify\n"

func newKeptnLoad(c *cluster) *keptnLoad {
	sy := base64.StdEncoding.EncodeToString([]byte(replicaShipyard))
	if st, b := c.do("POST", "/api/controlPlane/v1/project", `{"name":"demo","shipyard":"`+sy+`"}`); st != 201 {
		c.t.Fatalf("project: %d %s", st, b)
	}
	for s := range 4 {
		c.do("POST", "/api/controlPlane/v1/project/demo/service", fmt.Sprintf(`{"serviceName":"web%d"}`, s))
	}
	k := &keptnLoad{c: c, hooks: map[string]int{}, first: map[string]time.Time{}}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		k.mu.Lock()
		if k.hooks[key] == 0 {
			k.first[key] = time.Now()
		} else if k.killedAt.IsZero() || k.first[key].After(k.killedAt) {
			// At least once means again only after the replica making the
			// first call died; anything else is a double dispatch.
			k.repeats = append(k.repeats, key)
		}
		k.hooks[key]++
		k.mu.Unlock()
		io.WriteString(w, `{"ok":true}`)
	}))
	c.t.Cleanup(sink.Close)
	hook := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n" +
		"    - type: sh.keptn.event.notify.triggered\n      sendFinished: true\n      requests:\n        - url: \"" + sink.URL + "/notify\"\n          method: POST\n"
	res := `{"resources":[{"resourceURI":"webhook/webhook.yaml","resourceContent":"` + base64.StdEncoding.EncodeToString([]byte(hook)) + `"}]}`
	if st, b := c.do("POST", "/api/resource-service/v1/project/demo/resource", res); st != 201 {
		c.t.Fatalf("webhook config: %d %s", st, b)
	}
	return k
}

func (k *keptnLoad) run(wg *sync.WaitGroup, stop chan struct{}) {
	wg.Add(2)
	go func() { // trigger 40 sequences over 4 services
		defer wg.Done()
		for n := range 40 {
			ev := fmt.Sprintf(`{"type":"sh.keptn.event.dev.delivery.triggered","source":"replica-test","data":{"project":"demo","stage":"dev","service":"web%d"}}`, n%4)
			_, b := k.c.do("POST", "/api/v1/event", ev)
			var r struct{ KeptnContext string }
			json.Unmarshal(b, &r)
			k.mu.Lock()
			k.contexts = append(k.contexts, r.KeptnContext)
			k.mu.Unlock()
		}
	}()
	go func() { // the executor: polls one replica, answers through another
		defer wg.Done()
		answered := map[string]bool{}
		for {
			select {
			case <-stop:
				return
			default:
			}
			st, b := do(k.c.t, k.c.url(k.c.pick()), "GET", "/api/controlPlane/v1/event/triggered/sh.keptn.event.deployment.triggered?project=demo", "")
			if st != 200 {
				continue
			}
			var open struct {
				Events []struct {
					ID             string `json:"id"`
					Shkeptncontext string `json:"shkeptncontext"`
					Data           struct{ Service string }
				}
			}
			json.Unmarshal(b, &open)
			for _, e := range open.Events {
				if answered[e.ID] {
					continue
				}
				for _, phase := range []string{"started", "finished"} {
					ev := fmt.Sprintf(`{"type":"sh.keptn.event.deployment.%s","source":"executor","shkeptncontext":%q,"triggeredid":%q,"data":{"project":"demo","stage":"dev","service":%q,"status":"succeeded","result":"pass"}}`,
						phase, e.Shkeptncontext, e.ID, e.Data.Service)
					k.c.do("POST", "/api/v1/event", ev)
				}
				answered[e.ID] = true
			}
		}
	}()
}

// wait waits until every triggered sequence has finished (deadline 60 s).
func (k *keptnLoad) wait() {
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, b := k.c.do("GET", "/api/mongodb-datastore/event?type=sh.keptn.event.dev.delivery.finished&project=demo&pageSize=1", "")
		var page struct{ TotalCount int }
		json.Unmarshal(b, &page)
		if page.TotalCount >= 40 {
			return
		}
		if time.Now().After(deadline) {
			k.c.t.Fatalf("%d of 40 sequences finished", page.TotalCount)
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

// check: every sequence dispatched its task exactly once and finished once.
func (k *keptnLoad) check() {
	for _, kc := range k.contexts {
		for typ, want := range map[string]int{"sh.keptn.event.deployment.triggered": 1, "sh.keptn.event.notify.triggered": 1,
			"sh.keptn.event.notify.finished": 1, "sh.keptn.event.dev.delivery.finished": 1} {
			_, b := k.c.do("GET", "/api/mongodb-datastore/event?keptnContext="+kc+"&type="+typ+"&pageSize=1", "")
			var page struct{ TotalCount int }
			json.Unmarshal(b, &page)
			if page.TotalCount != want {
				k.c.t.Errorf("context %s: %d %s events, want %d", kc, page.TotalCount, typ, want)
			}
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.hooks) != 40 {
		k.c.t.Errorf("webhook called with %d distinct idempotency keys, want 40", len(k.hooks))
	}
	if len(k.repeats) > 0 {
		k.c.t.Errorf("webhook calls repeated without a replica dying first: %v", k.repeats)
	}
}

// queueLoad sends to a standard and a FIFO queue on some replicas and
// receives on all of them.
type queueLoad struct {
	c         *cluster
	ctx       context.Context
	std, fifo string
	acked     atomic.Int64
	mu        sync.Mutex
	sent      map[string]bool        // acknowledged bodies
	got       map[string][]time.Time // receive times by message id
	bodies    map[string]string      // message id -> body
	groupNext map[string]int         // FIFO: next body expected per group
	// undeleted: FIFO messages received whose delete did not succeed (a
	// receive may hand out several messages of a group, and a killed
	// replica may fail their deletes): they may come again, in order.
	undeleted  map[string]bool // group/body
	violations []string
	sendersOff sync.WaitGroup
}

const visibility = 4 * time.Second

func newQueueLoad(c *cluster, ctx context.Context) *queueLoad {
	q := &queueLoad{c: c, ctx: ctx, sent: map[string]bool{}, got: map[string][]time.Time{}, bodies: map[string]string{}, groupNext: map[string]int{},
		undeleted: map[string]bool{}}
	vt := fmt.Sprint(int(visibility.Seconds()))
	q.std = *retry(c, "create queue", func(i int) (*sqs.CreateQueueOutput, error) {
		return c.sqs[i].CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("std"), Attributes: map[string]string{"VisibilityTimeout": vt}})
	}).QueueUrl
	q.fifo = *retry(c, "create fifo queue", func(i int) (*sqs.CreateQueueOutput, error) {
		return c.sqs[i].CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q.fifo"),
			Attributes: map[string]string{"VisibilityTimeout": vt, "FifoQueue": "true"}})
	}).QueueUrl
	return q
}

func (q *queueLoad) run(wg *sync.WaitGroup, stop chan struct{}) {
	for w := range 4 {
		q.sendersOff.Add(1)
		go func() { // sender w: 150 standard messages and a FIFO group of 50
			defer q.sendersOff.Done()
			for i := range 150 {
				body := fmt.Sprintf("s%d-%d", w, i)
				if _, err := q.c.sqs[q.c.pick()].SendMessage(q.ctx, &sqs.SendMessageInput{QueueUrl: &q.std, MessageBody: &body}); err == nil {
					q.ackSend(body)
				}
				if i%3 != 0 {
					continue
				}
				fb := fmt.Sprint(i / 3)
				group := fmt.Sprint("g", w)
				for { // FIFO order needs every send acknowledged before the next
					_, err := q.c.sqs[q.c.pick()].SendMessage(q.ctx, &sqs.SendMessageInput{QueueUrl: &q.fifo, MessageBody: &fb,
						MessageGroupId: &group, MessageDeduplicationId: aws.String(group + "-" + fb)})
					if err == nil {
						q.ackSend(group + "/" + fb)
						break
					}
				}
			}
		}()
	}
	for r := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				url := q.std
				if r%2 == 1 {
					url = q.fifo
				}
				q.receive(q.c.pick(), url)
			}
		}()
	}
}

func (q *queueLoad) ackSend(key string) {
	q.mu.Lock()
	q.sent[key] = true
	q.mu.Unlock()
	q.acked.Add(1)
}

func (q *queueLoad) receive(i int, url string) {
	out, err := q.c.sqs[i].ReceiveMessage(q.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameMessageGroupId}})
	if err != nil {
		return
	}
	now := time.Now()
	q.mu.Lock()
	for _, m := range out.Messages {
		id := *m.MessageId
		if prev := q.got[id]; len(prev) > 0 && now.Sub(prev[len(prev)-1]) < visibility-time.Second {
			q.violations = append(q.violations, fmt.Sprintf("message %s received twice within %v", id, now.Sub(prev[len(prev)-1])))
		}
		q.got[id] = append(q.got[id], now)
		if url == q.std {
			q.bodies[id] = *m.Body
		}
	}
	q.mu.Unlock()
	if url == q.fifo {
		q.checkOrder(out) // before the deletes unblock the groups for other receivers
	}
	for _, m := range out.Messages {
		_, err := q.c.sqs[i].DeleteMessage(q.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		if err == nil && url == q.fifo {
			q.mu.Lock()
			delete(q.undeleted, cmp.Or(m.Attributes["MessageGroupId"], "?")+"/"+*m.Body)
			q.mu.Unlock()
		}
	}
}

// checkOrder: within a group, bodies arrive in send order; a message comes
// again only if it was received before and its delete did not succeed.
func (q *queueLoad) checkOrder(out *sqs.ReceiveMessageOutput) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range out.Messages {
		var n int
		fmt.Sscan(*m.Body, &n)
		group := m.Attributes["MessageGroupId"]
		if group == "" {
			group = "?"
		}
		want := q.groupNext[group]
		switch {
		case n == want:
			q.groupNext[group] = n + 1
			q.undeleted[group+"/"+*m.Body] = true
		case q.undeleted[group+"/"+*m.Body]: // redelivered: received before, not deleted
		default:
			q.violations = append(q.violations, fmt.Sprintf("group %s: got %d, want %d", group, n, want))
		}
	}
}

// finish waits for the senders, then until every acknowledged message was
// received (deadline 60 s).
func (q *queueLoad) finish() {
	q.sendersOff.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for {
		q.mu.Lock()
		received := map[string]bool{}
		for _, b := range q.bodies {
			received[b] = true
		}
		var missing []string
		for key := range q.sent {
			if !strings.Contains(key, "/") && !received[key] { // FIFO groups are checked by order
				missing = append(missing, key)
			}
		}
		for g := range 4 {
			if n := q.groupNext[fmt.Sprint("g", g)]; n < 50 {
				missing = append(missing, fmt.Sprintf("FIFO group g%d from %d", g, n))
			}
		}
		q.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			q.c.t.Fatalf("acknowledged but not received: %v; order violations: %v", missing, q.violations)
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
}

func (q *queueLoad) check() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, v := range q.violations {
		q.c.t.Error(v)
	}
	for g := range 4 {
		if n := q.groupNext[fmt.Sprint("g", g)]; n != 50 {
			q.c.t.Errorf("FIFO group g%d: received up to %d of 50", g, n)
		}
	}
	q.c.t.Logf("%d acknowledged sends, %d distinct messages received", len(q.sent), len(q.got))
}

// deployLoad runs AppConfig deployments whose SQS extension messages go to a
// queue baton hosts.
type deployLoad struct {
	c                  *cluster
	ctx                context.Context
	app, profile, fast string
	envs               []string
	queue              string
}

const deployments = 6

func newDeployLoad(c *cluster, ctx context.Context) *deployLoad {
	d := &deployLoad{c: c, ctx: ctx}
	arnQ := "arn:aws:sqs:us-east-1:000000000000:ext"
	pol := fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q}]}`, arnQ)
	d.queue = *retry(c, "create ext queue", func(i int) (*sqs.CreateQueueOutput, error) {
		return c.sqs[i].CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ext"), Attributes: map[string]string{"Policy": pol}})
	}).QueueUrl
	ac := c.ac[0]
	must := func(err error) {
		c.t.Helper()
		if err != nil {
			c.t.Fatal(err)
		}
	}
	app, err := ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("app")})
	must(err)
	d.app = *app.Id
	p, err := ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: &d.app, Name: aws.String("cfg"), LocationUri: aws.String("hosted")})
	must(err)
	d.profile = *p.Id
	_, err = ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &d.app,
		ConfigurationProfileId: &d.profile, Content: []byte(`{"on":true}`), ContentType: aws.String("application/json")})
	must(err)
	s, err := ac.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("steps"),
		DeploymentDurationInMinutes: aws.Int32(0), GrowthFactor: aws.Float32(25), GrowthType: actypes.GrowthTypeLinear})
	must(err)
	d.fast = *s.Id
	for e := range deployments {
		env, err := ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: &d.app, Name: aws.String(fmt.Sprint("env", e))})
		must(err)
		d.envs = append(d.envs, *env.Id)
	}
	_, err = ac.CreateExtensionAssociation(ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSqs"),
		ResourceIdentifier:  aws.String("arn:aws:appconfig:us-east-1:000000000000:application/" + d.app),
		Parameters:          map[string]string{"queueArn": arnQ}})
	must(err)
	return d
}

func (d *deployLoad) run(wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, env := range d.envs {
			retry(d.c, "start deployment", func(i int) (*appconfig.StartDeploymentOutput, error) {
				return d.c.ac[i].StartDeployment(d.ctx, &appconfig.StartDeploymentInput{ApplicationId: &d.app, EnvironmentId: &env,
					ConfigurationProfileId: &d.profile, DeploymentStrategyId: &d.fast, ConfigurationVersion: aws.String("1")})
			})
		}
	}()
}

// wait waits until every deployment is COMPLETE (deadline 60 s).
func (d *deployLoad) wait() {
	deadline := time.Now().Add(60 * time.Second)
	for _, env := range d.envs {
		for {
			out, err := d.c.ac[d.c.pick()].GetDeployment(d.ctx, &appconfig.GetDeploymentInput{ApplicationId: &d.app, EnvironmentId: &env, DeploymentNumber: aws.Int32(1)})
			if err == nil && out.State == actypes.DeploymentStateComplete {
				break
			}
			if time.Now().After(deadline) {
				d.c.t.Fatalf("deployment of %s: %v %+v", env, err, out)
			}
			time.Sleep(50 * time.Millisecond) // polling with a deadline
		}
	}
}

// check: each deployment sent its start and complete notification once.
func (d *deployLoad) check() {
	seen := map[string]int{}
	deadline := time.Now().Add(30 * time.Second)
	for len(seen) < 2*deployments && time.Now().Before(deadline) {
		out, err := d.c.sqs[d.c.pick()].ReceiveMessage(d.ctx, &sqs.ReceiveMessageInput{QueueUrl: &d.queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			continue
		}
		for _, m := range out.Messages {
			var n struct {
				Environment struct{ ID string }
				Type        string
			}
			json.Unmarshal([]byte(*m.Body), &n)
			seen[n.Environment.ID+"/"+n.Type]++
		}
	}
	for _, env := range d.envs {
		for _, typ := range []string{"OnDeploymentStart", "OnDeploymentComplete"} {
			if seen[env+"/"+typ] != 1 {
				d.c.t.Errorf("%s %s: %d messages, want 1", env, typ, seen[env+"/"+typ])
			}
		}
	}
}
