package sqsapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

// advanceUntil advances the fake clock by step until done yields, failing
// after a real-time deadline.
func advanceUntil[T any](t *testing.T, e *env, step time.Duration, done <-chan T) T {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case v := <-done:
			return v
		case <-deadline:
			t.Fatal("timed out")
		case <-time.After(20 * time.Millisecond):
			e.clk.Advance(step)
		}
	}
}

func TestLongPollWakesOnSend(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", nil)
	got := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := e.client.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out
	}()
	// The fake clock never moves: only the send can end the poll.
	e.send(t, url, "wake up")
	select {
	case out := <-got:
		if diff := cmp.Diff(bodies(out), []string{"wake up"}); diff != "" {
			t.Errorf("long poll (-got +want):\n%s", diff)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake on send")
	}
}

func TestLongPollTimesOutAndWakesOnDelay(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	empty := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, _ := e.client.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
		empty <- out
	}()
	start := e.clk.Now()
	if out := advanceUntil(t, e, time.Second, empty); len(out.Messages) != 0 {
		t.Errorf("empty poll returned %v", bodies(out))
	}
	if waited := e.clk.Now().Sub(start); waited < 20*time.Second {
		t.Errorf("queue wait time honoured only %v", waited)
	}
	// A delayed message wakes a waiting poll when its delay ends.
	if _, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("late"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	got := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, _ := e.client.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		got <- out
	}()
	start = e.clk.Now()
	out := advanceUntil(t, e, time.Second, got)
	if len(out.Messages) != 1 || e.clk.Now().Sub(start) >= 20*time.Second {
		t.Errorf("delayed message: got %v after %v", bodies(out), e.clk.Now().Sub(start))
	}
}

func TestBatches(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", nil)
	var entries []types.SendMessageBatchRequestEntry
	for i := 0; i < 3; i++ {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(fmt.Sprint("body ", i))})
	}
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"a": {DataType: aws.String("Nope"), StringValue: aws.String("v")}}})
	sent, err := e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Successful) != 3 || len(sent.Failed) != 1 || *sent.Failed[0].Id != "bad" || !sent.Failed[0].SenderFault || *sent.Failed[0].Code != "InvalidParameterValue" {
		t.Fatalf("batch result = %+v", sent)
	}
	out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if len(out.Messages) != 3 {
		t.Fatalf("received %d", len(out.Messages))
	}
	vis, err := e.client.ChangeMessageVisibilityBatch(e.ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &url, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 60},
		{Id: aws.String("b"), ReceiptHandle: aws.String("nonsense"), VisibilityTimeout: 60},
	}})
	if err != nil || len(vis.Successful) != 1 || len(vis.Failed) != 1 || *vis.Failed[0].Code != "ReceiptHandleIsInvalid" {
		t.Fatalf("visibility batch = %+v, %v", vis, err)
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
	}
	dres, err := e.client.DeleteMessageBatch(e.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
	if err != nil || len(dres.Successful) != 3 {
		t.Fatalf("delete batch = %+v, %v", dres, err)
	}
	e.clk.Advance(time.Hour)
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})); got != nil {
		t.Errorf("after batch delete: %v", got)
	}

	one := types.SendMessageBatchRequestEntry{Id: aws.String("x"), MessageBody: aws.String("x")}
	_, err = e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{one, one}})
	wantCode(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	eleven := make([]types.SendMessageBatchRequestEntry, 11)
	for i := range eleven {
		eleven[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String("x")}
	}
	_, err = e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: eleven})
	wantCode(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
	_, err = e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{{Id: aws.String("no spaces"), MessageBody: aws.String("x")}}})
	wantCode(t, err, "AWS.SimpleQueueService.InvalidBatchEntryId")
	big := stringOf('b', 600<<10)
	_, err = e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: &big}, {Id: aws.String("2"), MessageBody: &big}}})
	wantCode(t, err, "AWS.SimpleQueueService.BatchRequestTooLong")
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	e := start(t)
	dlq := e.createQueue(t, "dead", nil)
	dlqArn := "arn:aws:sqs:us-east-1:000000000000:dead"
	src := e.createQueue(t, "work", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqArn + `","maxReceiveCount":"2"}`})
	e.send(t, src, "poison")
	for i := 0; i < 2; i++ {
		if n := len(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &src}).Messages); n != 1 {
			t.Fatalf("receive %d got %d messages", i+1, n)
		}
		e.clk.Advance(31 * time.Second)
	}
	if got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &src})); got != nil {
		t.Fatalf("third receive from the source returned %v; want it moved", got)
	}
	out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if len(out.Messages) != 1 || *out.Messages[0].Body != "poison" ||
		out.Messages[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:000000000000:work" {
		t.Fatalf("dead-letter queue got %+v", out.Messages)
	}
	srcs, err := e.client.ListDeadLetterSourceQueues(e.ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlq})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(srcs.QueueUrls, []string{src}); diff != "" {
		t.Errorf("dead-letter sources (-got +want):\n%s", diff)
	}
	_, err = e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"),
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":1}`}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestShutdownEndsLongPolls(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "q", nil)
	done := make(chan error, 1)
	go func() {
		_, err := e.client.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		done <- err
	}()
	// Wait until the poll is in the service, then stop.
	q, err := e.in.SQS.Queue(e.ctx, "000000000000", "q")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !e.in.SQS.Polling(q) {
		if time.Now().After(deadline) {
			t.Fatal("long poll never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() { e.in.Server.Close(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown waited for a long poll")
	}
	<-done
}
