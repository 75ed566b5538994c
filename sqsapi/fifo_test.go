package sqsapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

func (e *env) sendFifo(t *testing.T, url, body, group, dedup string) *sqs.SendMessageOutput {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body, MessageGroupId: &group}
	if dedup != "" {
		in.MessageDeduplicationId = &dedup
	}
	out, err := e.client.SendMessage(e.ctx, in)
	if err != nil {
		t.Fatalf("send %s: %v", body, err)
	}
	return out
}

func TestFIFOGroupOrdering(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	a1 := e.sendFifo(t, url, "a1", "A", "1")
	a2 := e.sendFifo(t, url, "a2", "A", "2")
	e.sendFifo(t, url, "a3", "A", "3")
	e.sendFifo(t, url, "b1", "B", "4")
	if a1.SequenceNumber == nil || *a2.SequenceNumber <= *a1.SequenceNumber || len(*a1.SequenceNumber) != 20 {
		t.Errorf("sequence numbers %v %v", a1.SequenceNumber, a2.SequenceNumber)
	}
	first := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if diff := cmp.Diff(bodies(first), []string{"a1"}); diff != "" {
		t.Fatalf("first receive (-got +want):\n%s", diff)
	}
	m := first.Messages[0]
	if m.Attributes["MessageGroupId"] != "A" || m.Attributes["MessageDeduplicationId"] != "1" || m.Attributes["SequenceNumber"] == "" {
		t.Errorf("fifo attributes = %v", m.Attributes)
	}
	// Group A is blocked while a1 is in flight; B is free.
	if diff := cmp.Diff(bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})), []string{"b1"}); diff != "" {
		t.Fatalf("second receive (-got +want):\n%s", diff)
	}
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})); got != nil {
		t.Fatalf("all groups blocked, got %v", got)
	}
	if _, err := e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	// Now the rest of group A comes in order, several in one receive.
	if diff := cmp.Diff(bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})), []string{"a2", "a3"}); diff != "" {
		t.Errorf("after delete (-got +want):\n%s", diff)
	}
	// A timed-out group is redelivered from its head, in order.
	e.clk.Advance(31 * time.Second)
	if diff := cmp.Diff(bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})), []string{"a2", "a3", "b1"}); diff != "" {
		t.Errorf("after timeout (-got +want):\n%s", diff)
	}
}

func TestFIFODeduplication(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "dedup.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	first := e.sendFifo(t, url, "same body", "g", "")
	again := e.sendFifo(t, url, "same body", "g", "")
	if *again.MessageId != *first.MessageId || *again.SequenceNumber != *first.SequenceNumber {
		t.Errorf("content duplicate got a new message: %v vs %v", *again.MessageId, *first.MessageId)
	}
	explicit := e.sendFifo(t, url, "other body", "g", "id-1")
	dup := e.sendFifo(t, url, "different body, same id", "g", "id-1")
	if *dup.MessageId != *explicit.MessageId {
		t.Errorf("explicit duplicate got a new message")
	}
	out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if diff := cmp.Diff(bodies(out), []string{"same body", "other body"}); diff != "" {
		t.Errorf("stored messages (-got +want):\n%s", diff)
	}
	for _, m := range out.Messages {
		e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
	}
	// The id is remembered after the delete, until the 5-minute window ends.
	if again := e.sendFifo(t, url, "same body", "g", ""); *again.MessageId != *first.MessageId {
		t.Errorf("deduplication forgot a deleted message's id")
	}
	e.clk.Advance(5*time.Minute + time.Second)
	if later := e.sendFifo(t, url, "same body", "g", ""); *later.MessageId == *first.MessageId {
		t.Errorf("deduplicated after the 5-minute window")
	}
}

func TestFIFOValidation(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "v.fifo", map[string]string{"FifoQueue": "true"})
	_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	wantCode(t, err, "MissingParameter")
	_, err = e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	wantCode(t, err, "InvalidParameterValue") // no dedup id and no content-based deduplication
	_, err = e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"),
		MessageDeduplicationId: aws.String("d"), DelaySeconds: 5})
	wantCode(t, err, "InvalidParameterValue") // no per-message delay on FIFO
	_, err = e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("nofifo.fifo"), Attributes: map[string]string{"FifoQueue": "false"}})
	wantCode(t, err, "InvalidParameterValue")
	std := e.createQueue(t, "std", nil)
	_, err = e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("x.fifo"), Attributes: map[string]string{
		"FifoQueue": "true", "RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:std","maxReceiveCount":1}`}})
	wantCode(t, err, "InvalidParameterValue") // dead-letter queue type must match
	_ = std
}

func TestFIFOExpiredHeadDoesNotBlock(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "r.fifo", map[string]string{"FifoQueue": "true", "MessageRetentionPeriod": "60"})
	e.sendFifo(t, url, "old", "g", "1")
	e.clk.Advance(30 * time.Second)
	e.sendFifo(t, url, "new", "g", "2")
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 1})); len(got) != 1 || got[0] != "old" {
		t.Fatalf("first receive: %v", got)
	}
	e.clk.Advance(31 * time.Second) // "old" expired, "new" has not
	if diff := cmp.Diff(bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})), []string{"new"}); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
}

// On a FIFO queue a receipt handle whose visibility timeout has ended no
// longer deletes: DeleteMessage answers AWS's "The receipt handle has
// expired." (a batch entry fails the same way) and the message stays.
func TestFIFOExpiredReceiptHandle(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "expiry.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	e.sendFifo(t, url, "m", "g", "")
	m := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url}).Messages[0]
	e.clk.Advance(31 * time.Second)
	_, err := e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
	wantError(t, err, "InvalidParameterValue", "Value "+*m.ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.")
	out, err := e.client.DeleteMessageBatch(e.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url,
		Entries: []types.DeleteMessageBatchRequestEntry{{Id: aws.String("old"), ReceiptHandle: m.ReceiptHandle}}})
	if err != nil || len(out.Failed) != 1 || *out.Failed[0].Code != "InvalidParameterValue" || !out.Failed[0].SenderFault ||
		!strings.HasSuffix(*out.Failed[0].Message, "Reason: The receipt handle has expired.") {
		t.Fatalf("batch delete with an expired handle: %v %+v", err, out)
	}
	again := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if diff := cmp.Diff(bodies(again), []string{"m"}); diff != "" || again.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the expired deletes (-got +want):\n%s%v", diff, again.Messages[0].Attributes)
	}
	if _, err := e.client.DeleteMessage(e.ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: again.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("delete in flight: %v", err)
	}
}
