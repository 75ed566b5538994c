package sqsapi_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/server"
)

// epoch is the fake clock's start.
var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a running baton with a fake clock and an SQS client holding a real
// access key (so every call is SigV4-verified).
type env struct {
	in     *batontest.Instance
	clk    *clock.Fake
	client *sqs.Client
	ctx    context.Context
}

func start(t *testing.T) *env {
	t.Helper()
	clk := clock.NewFake(epoch)
	in := batontest.Start(t, server.Config{Clock: clk, Out: io.Discard})
	id, secret := createKey(t, in)
	return &env{in: in, clk: clk, client: newClient(in.URL, id, secret), ctx: context.Background()}
}

func createKey(t *testing.T, in *batontest.Instance) (string, string) { return in.AWSKeys() }

func newClient(url, id, secret string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
	})
}

func (e *env) createQueue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return *out.QueueUrl
}

func (e *env) send(t *testing.T, url, body string) *sqs.SendMessageOutput {
	t.Helper()
	out, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return out
}

func (e *env) receive(t *testing.T, in *sqs.ReceiveMessageInput) *sqs.ReceiveMessageOutput {
	t.Helper()
	out, err := e.client.ReceiveMessage(e.ctx, in)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return out
}

func bodies(out *sqs.ReceiveMessageOutput) []string {
	var b []string
	for _, m := range out.Messages {
		b = append(b, *m.Body)
	}
	return b
}

// wantCode fails unless err is an API error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%v), want %s", ae.ErrorCode(), err, code)
	}
}

func errAs[T error](err error, target *T) bool { return errors.As(err, target) }
