package sqsapi_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

func TestSendReceiveDelete(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", nil)
	sent, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{
		QueueUrl: &url, MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"attribName1": {DataType: aws.String("String"), StringValue: aws.String("attribValue 1")},
		},
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-abc")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *sent.MD5OfMessageBody != "5d41402abc4b2a76b9719d911017c592" || *sent.MD5OfMessageAttributes != "19e27d4e946b072f3f58da80d94fd778" {
		t.Errorf("digests = %s %s", *sent.MD5OfMessageBody, *sent.MD5OfMessageAttributes)
	}
	if sent.MD5OfMessageSystemAttributes == nil || sent.SequenceNumber != nil {
		t.Errorf("system digest %v, sequence %v", sent.MD5OfMessageSystemAttributes, sent.SequenceNumber)
	}

	e.clk.Advance(time.Second)
	out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if len(out.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(out.Messages))
	}
	m := out.Messages[0]
	if *m.MessageId != *sent.MessageId || *m.Body != "hello" || *m.MD5OfMessageAttributes != "19e27d4e946b072f3f58da80d94fd778" {
		t.Errorf("message = %+v", m)
	}
	if diff := cmp.Diff(*m.MessageAttributes["attribName1"].StringValue, "attribValue 1"); diff != "" {
		t.Error(diff)
	}
	for k, want := range map[string]string{
		"SentTimestamp": strconv.FormatInt(epoch.UnixMilli(), 10), "ApproximateReceiveCount": "1",
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(epoch.Add(time.Second).UnixMilli(), 10),
		"AWSTraceHeader":                   "Root=1-abc", "SenderId": "000000000000",
	} {
		if m.Attributes[k] != want {
			t.Errorf("system attribute %s = %q, want %q", k, m.Attributes[k], want)
		}
	}
	if _, err := e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url})); got != nil {
		t.Errorf("after delete received %v", got)
	}
}

func TestSendValidation(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", map[string]string{"MaximumMessageSize": "1024"})
	cases := map[string]*sqs.SendMessageInput{
		"InvalidMessageContents": {QueueUrl: &url, MessageBody: aws.String("bad \x01 char")},
		"InvalidParameterValue":  {QueueUrl: &url, MessageBody: aws.String(string(make([]byte, 1025)))},
	}
	cases["InvalidParameterValue"].MessageBody = aws.String(stringOf('x', 1025))
	for code, in := range cases {
		_, err := e.client.SendMessage(e.ctx, in)
		wantCode(t, err, code)
	}
	_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), DelaySeconds: 901})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}})
	wantCode(t, err, "InvalidParameterValue")
	attrs, _ := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("rejected sends stored messages: %v", attrs.Attributes)
	}
}

func stringOf(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

func TestVisibilityTimeout(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", map[string]string{"VisibilityTimeout": "30"})
	e.send(t, url, "m")
	first := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url}).Messages[0]
	if got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url}).Messages; len(got) != 0 {
		t.Fatalf("in-flight message received again")
	}
	e.clk.Advance(31 * time.Second)
	out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after timeout got %+v", out.Messages)
	}
	second := out.Messages[0]
	if *second.ReceiptHandle == *first.ReceiptHandle {
		t.Errorf("receipt handle reused")
	}
	// A stale handle succeeds but deletes nothing; changing visibility with it fails.
	if _, err := e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: first.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.ChangeMessageVisibility(e.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0})
	wantError(t, err, "InvalidParameterValue", "Value "+*first.ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
	// Making the message visible now hands it out again.
	if _, err := e.client.ChangeMessageVisibility(e.ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	third := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 100})
	if len(third.Messages) != 1 {
		t.Fatalf("after visibility 0 got %d messages", len(third.Messages))
	}
	e.clk.Advance(99 * time.Second)
	if n := len(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url}).Messages); n != 0 {
		t.Errorf("per-receive visibility timeout ignored")
	}
	_, err = e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("garbage")})
	wantCode(t, err, "ReceiptHandleIsInvalid")
	_, err = e.client.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 11})
	wantCode(t, err, "InvalidParameterValue")
}

func TestDelayAndRetention(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
	if _, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("later"), DelaySeconds: 10}); err != nil {
		t.Fatal(err)
	}
	attrs, _ := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" {
		t.Errorf("delayed count = %v", attrs.Attributes)
	}
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url})); got != nil {
		t.Fatalf("delayed message received early: %v", got)
	}
	e.clk.Advance(10 * time.Second)
	e.send(t, url, "soon expired")
	got := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 1})
	if len(got.Messages) != 2 {
		t.Fatalf("after delay got %v", bodies(got))
	}
	e.clk.Advance(61 * time.Second)
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})); got != nil {
		t.Errorf("expired messages received: %v", got)
	}
	attrs, _ = e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("expired messages counted: %v", attrs.Attributes)
	}
}

func TestPurge(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", nil)
	e.send(t, url, "a")
	e.send(t, url, "b")
	e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url}) // one in flight: purged too
	if _, err := e.client.PurgeQueue(e.ctx, &sqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.PurgeQueue(e.ctx, &sqs.PurgeQueueInput{QueueUrl: &url})
	wantCode(t, err, "AWS.SimpleQueueService.PurgeQueueInProgress")
	e.clk.Advance(time.Hour)
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})); got != nil {
		t.Errorf("after purge received %v", got)
	}
	if _, err := e.client.PurgeQueue(e.ctx, &sqs.PurgeQueueInput{QueueUrl: &url}); err != nil {
		t.Errorf("purge after 60 s: %v", err)
	}
}
