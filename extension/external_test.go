package extension_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/server"
)

// TestExternalQueueSurvivesRestart delivers to a queue baton does not host
// through the outbox and aws-sdk-go-v2: the "Amazon SQS" is a second baton.
// It is down when the deployment runs; baton restarts with the delivery
// pending; once the queue's host is back, the messages arrive.
func TestExternalQueueSurvivesRestart(t *testing.T) {
	remote := start(t, server.Config{})
	url, qarn := remote.queue("remote", false)
	addr := strings.TrimPrefix(remote.in.URL, "http://")
	remoteDir := remote.in.DataDir
	id, secret := remote.in.AWSKeys()
	remote.in.Stop()

	cfg := server.Config{DataDir: t.TempDir(), ExtensionsSQS: extension.AmazonConfig{
		Region: "us-east-1", Endpoint: "http://" + addr, AccessKey: id, SecretKey: secret}}
	e := start(t, cfg)
	f := e.fixture()
	e.associate(arn("application/"+f.app), qarn)
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	got := e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
	for _, inv := range invocations(got) {
		if inv.ErrorCode != nil {
			t.Fatalf("invocation %+v", inv)
		}
	}
	e.in.Stop()

	remote = start(t, server.Config{Addr: addr, DataDir: remoteDir})
	e = start(t, cfg)
	var msgs []string
	deadline := time.Now().Add(10 * time.Second)
	for len(msgs) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("received %v", msgs)
		}
		e.clock.Advance(time.Minute) // retries are due on the fake clock
		r := must[*sqs.ReceiveMessageOutput](t)(remote.sqs.ReceiveMessage(remote.ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0}))
		for _, m := range r.Messages {
			msgs = append(msgs, *m.Body)
		}
		time.Sleep(5 * time.Millisecond) // let the worker run between clock ticks
	}
	all := strings.Join(msgs, "")
	if !strings.Contains(all, `"Type":"OnDeploymentStart"`) || !strings.Contains(all, `"Type":"OnDeploymentComplete"`) {
		t.Fatalf("messages %v", msgs)
	}
}
