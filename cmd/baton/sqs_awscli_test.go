package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLIs returns the AWS CLIs to drive: the one on PATH (pip, JSON protocol)
// and Debian's /usr/bin/aws (2.9, query protocol). A missing one is skipped
// unless CI=true, where it fails.
func awsCLIs(t *testing.T) map[string]string {
	clis := map[string]string{}
	if p, err := exec.LookPath("aws"); err == nil && p != "/usr/bin/aws" {
		clis["json"] = p
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		clis["query"] = "/usr/bin/aws"
	}
	for _, proto := range []string{"json", "query"} {
		if clis[proto] == "" {
			if os.Getenv("CI") == "true" {
				t.Errorf("the %s-protocol AWS CLI is missing", proto)
			} else {
				t.Logf("skipping the %s-protocol AWS CLI: not installed", proto)
			}
		}
	}
	return clis
}

// TestAWSCLIs drives baton with both AWS CLIs through create, send, receive,
// delete, attributes and a dead-letter queue, and with "baton queue".
func TestAWSCLIs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	clis := awsCLIs(t)
	if len(clis) == 0 {
		t.Skip("no AWS CLI installed")
	}
	p := serve(t, t.TempDir())
	env := []string{"BATON_URL=" + p.url, "BATON_TOKEN=" + processToken}
	id, secret := parseKey(t, runTool(t, env, batonBinary(t), "aws-credentials", "create"))
	cfg := filepath.Join(t.TempDir(), "none")
	awsEnv := append(env, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_CONFIG_FILE="+cfg,
		"AWS_SHARED_CREDENTIALS_FILE="+cfg, "AWS_PAGER=", "AWS_DEFAULT_REGION=us-east-1")
	for proto, cli := range clis {
		t.Run(proto, func(t *testing.T) {
			a := &awsCLI{t: t, path: cli, url: p.url, env: awsEnv}
			a.script("cli-" + proto)
		})
	}
	t.Run("baton queue", func(t *testing.T) {
		b := batonBinary(t)
		runTool(t, awsEnv, b, "queue", "send", "cli-json-work", "from baton")
		if out := runTool(t, awsEnv, b, "queue", "list", "cli-"); !strings.Contains(out, "/cli-json-work") {
			t.Errorf("queue list: %s", out)
		}
		if out := runTool(t, awsEnv, b, "queue", "receive", "cli-json-work", "--delete"); !strings.Contains(out, `"Body":"from baton"`) {
			t.Errorf("queue receive: %s", out)
		}
		runTool(t, awsEnv, b, "queue", "send", "cli-json-work", "to purge")
		runTool(t, awsEnv, b, "queue", "purge", "cli-json-work")
		if out := runTool(t, awsEnv, b, "queue", "receive", "cli-json-work"); strings.TrimSpace(out) != "" {
			t.Errorf("after purge: %s", out)
		}
	})
}

type awsCLI struct {
	t    *testing.T
	path string
	url  string
	env  []string
}

// sqs runs "aws sqs <args>" and decodes its JSON output (if any) into a map.
func (a *awsCLI) sqs(args ...string) map[string]any {
	a.t.Helper()
	out := runTool(a.t, a.env, a.path, append([]string{"--endpoint-url", a.url, "--output", "json", "sqs"}, args...)...)
	m := map[string]any{}
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			a.t.Fatalf("aws sqs %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return m
}

func messages(m map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := m["Messages"].([]any)
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

func (a *awsCLI) script(prefix string) {
	t := a.t
	work := a.sqs("create-queue", "--queue-name", prefix+"-work", "--attributes", "VisibilityTimeout=30")["QueueUrl"].(string)
	if got := a.sqs("get-queue-url", "--queue-name", prefix+"-work")["QueueUrl"]; got != work {
		t.Fatalf("get-queue-url = %v, want %s", got, work)
	}
	sent := a.sqs("send-message", "--queue-url", work, "--message-body", "hello",
		"--message-attributes", `{"a":{"DataType":"String","StringValue":"v"}}`)
	if sent["MD5OfMessageBody"] != "5d41402abc4b2a76b9719d911017c592" || sent["MessageId"] == nil {
		t.Errorf("send-message = %v", sent)
	}
	got := messages(a.sqs("receive-message", "--queue-url", work, "--attribute-names", "All", "--message-attribute-names", "All",
		"--max-number-of-messages", "5", "--wait-time-seconds", "1"))
	if len(got) != 1 || got[0]["Body"] != "hello" || got[0]["MessageAttributes"] == nil {
		t.Fatalf("receive-message = %v", got)
	}
	a.sqs("delete-message", "--queue-url", work, "--receipt-handle", got[0]["ReceiptHandle"].(string))
	a.sqs("set-queue-attributes", "--queue-url", work, "--attributes", "DelaySeconds=2")
	attrs := a.sqs("get-queue-attributes", "--queue-url", work, "--attribute-names", "All")["Attributes"].(map[string]any)
	if attrs["DelaySeconds"] != "2" || attrs["VisibilityTimeout"] != "30" || attrs["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("get-queue-attributes = %v", attrs)
	}
	a.sqs("set-queue-attributes", "--queue-url", work, "--attributes", "DelaySeconds=0")

	dlq := a.sqs("create-queue", "--queue-name", prefix+"-dlq")["QueueUrl"].(string)
	dlqArn := a.sqs("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "QueueArn")["Attributes"].(map[string]any)["QueueArn"].(string)
	redrive, _ := json.Marshal(map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"1"}`})
	a.sqs("set-queue-attributes", "--queue-url", work, "--attributes", string(redrive))
	a.sqs("send-message", "--queue-url", work, "--message-body", "poison")
	if n := len(messages(a.sqs("receive-message", "--queue-url", work, "--visibility-timeout", "0"))); n != 1 {
		t.Fatalf("first receive of poison: %d messages", n)
	}
	if n := len(messages(a.sqs("receive-message", "--queue-url", work))); n != 0 {
		t.Fatalf("poison not moved on the second receive")
	}
	srcs := a.sqs("list-dead-letter-source-queues", "--queue-url", dlq)["queueUrls"].([]any)
	if len(srcs) != 1 || srcs[0] != work {
		t.Errorf("list-dead-letter-source-queues = %v", srcs)
	}
	dead := messages(a.sqs("receive-message", "--queue-url", dlq, "--attribute-names", "All"))
	if len(dead) != 1 || dead[0]["Body"] != "poison" {
		t.Errorf("dead-letter queue holds %v", dead)
	}
	if urls := a.sqs("list-queues", "--queue-name-prefix", prefix)["QueueUrls"].([]any); len(urls) != 2 {
		t.Errorf("list-queues = %v", urls)
	}
	a.sqs("delete-queue", "--queue-url", dlq)
	gone := exec.Command(a.path, "--endpoint-url", a.url, "sqs", "get-queue-url", "--queue-name", prefix+"-dlq")
	gone.Env = append(os.Environ(), a.env...)
	if out, err := gone.CombinedOutput(); err == nil || !strings.Contains(string(out), "NonExistentQueue") {
		t.Errorf("get-queue-url of a deleted queue: %v %s", err, out)
	}
}
