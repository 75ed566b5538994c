package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestKillAndRestart sends acknowledged messages to a real baton process,
// SIGKILLs it, restarts it on the same data directory and receives every
// message; one message in flight at the kill stays invisible after it.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	data := t.TempDir()
	p := serve(t, data)
	env := []string{"BATON_URL=" + p.url, "BATON_TOKEN=" + processToken}
	keyID, secret := parseKey(t, runTool(t, env, batonBinary(t), "aws-credentials", "create", "--description", "restart test"))
	client := func(url string) *sqs.Client {
		return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
			Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
	}
	ctx := context.Background()
	c := client(p.url)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	sent := map[string]bool{}
	errs := make(chan error, n)
	ids := make(chan string, n)
	for i := 0; i < n; i++ {
		go func() {
			out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(fmt.Sprint("message ", i))})
			if err != nil {
				errs <- err
				return
			}
			ids <- *out.MessageId
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			t.Fatal(err)
		case id := <-ids:
			sent[id] = true
		}
	}
	inflight, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, VisibilityTimeout: 3600})
	if err != nil || len(inflight.Messages) != 1 {
		t.Fatalf("receive before kill: %v %v", inflight, err)
	}
	p.kill()

	p2 := serve(t, data)
	c2 := client(p2.url)
	url := strings.Replace(*q.QueueUrl, p.url, p2.url, 1)
	got := map[string]bool{}
	for {
		out, err := c2.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 3600})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			got[*m.MessageId] = true
		}
	}
	if got[*inflight.Messages[0].MessageId] {
		t.Errorf("the in-flight message became visible before its timeout")
	}
	got[*inflight.Messages[0].MessageId] = true
	var missing []string
	for id := range sent {
		if !got[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(got) != n {
		t.Fatalf("after SIGKILL and restart: %d of %d acknowledged messages missing: %v", len(missing), n, missing)
	}
}

func parseKey(t *testing.T, out string) (string, string) {
	t.Helper()
	var id, secret string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "AWS_ACCESS_KEY_ID="); ok {
			id = v
		}
		if v, ok := strings.CutPrefix(line, "AWS_SECRET_ACCESS_KEY="); ok {
			secret = v
		}
	}
	if id == "" || secret == "" {
		t.Fatalf("no key in %q", out)
	}
	return id, secret
}
