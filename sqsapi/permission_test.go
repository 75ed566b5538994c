package sqsapi_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func (e *env) policy(t *testing.T, url string) string {
	t.Helper()
	out, err := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["Policy"]
}

// TestAddRemovePermission checks that AddPermission and RemovePermission
// edit the queue's Policy as SQS does and that the policy is enforced.
func TestAddRemovePermission(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "shared", nil)
	arn := "arn:aws:sqs:us-east-1:000000000000:shared"
	may := func(principal, action string) bool {
		ok, err := e.in.SQS.MayCall(e.ctx, arn, principal, action, nil)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	add := func(label string, accounts, actions []string) error {
		_, err := e.client.AddPermission(e.ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: &label, AWSAccountIds: accounts, Actions: actions})
		return err
	}
	if err := add("crossaccount", []string{"111122223333", "444455556666"}, []string{"ReceiveMessage"}); err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2008-10-17","Id":"` + arn + `/SQSDefaultPolicy","Statement":[{"Sid":"crossaccount","Effect":"Allow",` +
		`"Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},"Action":"SQS:ReceiveMessage","Resource":"` + arn + `"}]}`
	if got := e.policy(t, url); got != want {
		t.Errorf("policy after AddPermission:\n got %s\nwant %s", got, want)
	}
	if err := add("send", []string{"111122223333"}, []string{"SendMessage", "DeleteMessage"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		principal, action string
		want              bool
	}{
		{"AWS:111122223333", "sqs:ReceiveMessage", true},
		{"AWS:arn:aws:iam::444455556666:root", "sqs:ReceiveMessage", true},
		{"AWS:444455556666", "sqs:SendMessage", false},
		{"AWS:111122223333", "sqs:SendMessageBatch", true},
		{"AWS:111122223333", "sqs:PurgeQueue", false},
		{"AWS:999999999999", "sqs:ReceiveMessage", false},
	} {
		if got := may(tc.principal, tc.action); got != tc.want {
			t.Errorf("%s %s allowed = %v, want %v", tc.principal, tc.action, got, tc.want)
		}
	}
	wantError(t, add("send", []string{"111122223333"}, []string{"SendMessage"}),
		"InvalidParameterValue", "Value send for parameter Label is invalid. Reason: Already exists.")
	wantError(t, add("bad label!", []string{"111122223333"}, []string{"SendMessage"}),
		"InvalidParameterValue", "Value bad label! for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	wantCode(t, add("x", []string{}, []string{"SendMessage"}), "MissingParameter")
	wantCode(t, add("x", []string{"111122223333"}, []string{"CreateQueue"}), "InvalidParameterValue")
	wantCode(t, add("x", []string{"111122223333"}, []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"}), "OverLimit")

	remove := func(label string) error {
		_, err := e.client.RemovePermission(e.ctx, &sqs.RemovePermissionInput{QueueUrl: &url, Label: &label})
		return err
	}
	if err := remove("crossaccount"); err != nil {
		t.Fatal(err)
	}
	if may("AWS:444455556666", "sqs:ReceiveMessage") || !may("AWS:111122223333", "sqs:SendMessage") {
		t.Errorf("after removing crossaccount: policy %s", e.policy(t, url))
	}
	wantError(t, remove("crossaccount"), "InvalidParameterValue", "Value crossaccount for parameter Label is invalid. Reason: can't find label.")
	if err := remove("send"); err != nil {
		t.Fatal(err)
	}
	if got := e.policy(t, url); got != "" {
		t.Errorf("policy after removing the last permission = %s, want none", got)
	}
	_, err := e.client.AddPermission(e.ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(e.in.URL + "/000000000000/nope"), Label: aws.String("l"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}})
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
}

// TestAddPermissionKeepsWrittenPolicy checks that AddPermission appends to a
// policy set with SetQueueAttributes, keeping its statements.
func TestAddPermissionKeepsWrittenPolicy(t *testing.T) {
	e := start(t)
	written := `{"Version":"2012-10-17","Statement":{"Sid":"appconfig","Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}}`
	url := e.createQueue(t, "mixed", map[string]string{"Policy": written})
	if _, err := e.client.AddPermission(e.ctx, &sqs.AddPermissionInput{QueueUrl: &url, Label: aws.String("more"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:us-east-1:000000000000:mixed"
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"appconfig","Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"},` +
		`{"Sid":"more","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SQS:*","Resource":"` + arn + `"}]}`
	if got := e.policy(t, url); got != want {
		t.Errorf("policy:\n got %s\nwant %s", got, want)
	}
	for _, p := range []string{"Service:appconfig.amazonaws.com", "AWS:111122223333"} {
		if ok, _ := e.in.SQS.MaySend(e.ctx, arn, p, nil); !ok {
			t.Errorf("%s may not send", p)
		}
	}
}

// TestPoliciesReadBackAsWritten checks that Policy and RedrivePolicy read
// back byte for byte, and that a RedrivePolicy naming its own queue is
// refused.
func TestPoliciesReadBackAsWritten(t *testing.T) {
	e := start(t)
	e.createQueue(t, "dlq", nil)
	policy := "{ \"Statement\": [ {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"sqs:SendMessage\"} ] }\n"
	redrive := `{"maxReceiveCount": "5",  "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq"}`
	url := e.createQueue(t, "src", map[string]string{"Policy": policy, "RedrivePolicy": redrive})
	out, err := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"Policy", "RedrivePolicy"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Attributes["Policy"] != policy || out.Attributes["RedrivePolicy"] != redrive {
		t.Errorf("read back %q %q", out.Attributes["Policy"], out.Attributes["RedrivePolicy"])
	}
	self := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:src","maxReceiveCount":3}`
	_, err = e.client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"RedrivePolicy": self}})
	wantError(t, err, "InvalidParameterValue", "Value "+self+" for parameter RedrivePolicy is invalid. Reason: Dead-letter target can't be the source queue itself.")
	_, err = e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("loop"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:loop","maxReceiveCount":3}`}})
	wantCode(t, err, "InvalidParameterValue")
}
