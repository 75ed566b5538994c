package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// boto3Script exercises attribute digests (which boto3 clients of other SDKs
// verify), binary attributes and modeled exceptions.
const boto3Script = `
import os, boto3
c = boto3.client("sqs", endpoint_url=os.environ["BATON_URL"], region_name="us-east-1")
u = c.create_queue(QueueName="boto3")["QueueUrl"]
r = c.send_message(QueueUrl=u, MessageBody="hello", MessageAttributes={
  "attribName1": {"DataType": "String", "StringValue": "attribValue 1"},
  "customNumberTypeAttrib": {"DataType": "Number.float", "StringValue": "4563442423554324324264524243.32543234"},
  "binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}})
assert r["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff", r
m = c.receive_message(QueueUrl=u, MessageAttributeNames=["All"])["Messages"][0]
assert m["MD5OfMessageAttributes"] == "c932db14a896c663f83c260297d594ff", m
assert m["MessageAttributes"]["binaryAttribute"]["BinaryValue"] == b"Hello binary world!", m
c.delete_message(QueueUrl=u, ReceiptHandle=m["ReceiptHandle"])
try:
    c.get_queue_url(QueueName="missing")
    raise SystemExit("no error for a missing queue")
except c.exceptions.QueueDoesNotExist:
    pass
print("boto3 ok")
`

func TestBoto3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("boto3 is not installed: %v", err)
		}
		t.Skip("boto3 is not installed")
	}
	p := serve(t, t.TempDir())
	env := []string{"BATON_URL=" + p.url, "BATON_TOKEN=" + processToken}
	id, secret := parseKey(t, runTool(t, env, batonBinary(t), "aws-credentials", "create"))
	out := runTool(t, append(env, "AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent"), "python3", "-c", boto3Script)
	if !strings.Contains(out, "boto3 ok") {
		t.Errorf("boto3: %s", out)
	}
}
