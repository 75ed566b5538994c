package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/batonhq/baton/batontest"
)

func sqsWith(url, id, secret string) *sqs.Client {
	return sqs.New(sqs.Options{BaseEndpoint: aws.String(url), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

// BATON_AWS_ACCESS_KEY_ID / BATON_AWS_SECRET_ACCESS_KEY declare the pair the
// AWS faces accept (no pair is generated then); declaring another secret for
// the id at the next start replaces the old one. The secret is never logged.
func TestDeclaredAWSKeyPair(t *testing.T) {
	const id, secret, secret2 = "AKIADECLAREDKEY00001", "declared-secret-0123456789abcdefghij", "rotated-secret-0123456789abcdefghijk"
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("BATON_AWS_ACCESS_KEY_ID", id)
	t.Setenv("BATON_AWS_SECRET_ACCESS_KEY", secret)
	p := batontest.StartProcess(t, dir)
	if _, err := sqsWith(p.URL, id, secret).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ci")}); err != nil {
		t.Fatalf("declared pair refused: %v", err)
	}
	if _, err := sqsWith(p.URL, id, "wrong-secret-0123456789abcdefghijklm").ListQueues(ctx, &sqs.ListQueuesInput{}); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	if out := p.Output(); strings.Contains(out, "generated AWS credentials") || strings.Contains(out, secret) {
		t.Errorf("start output:\n%s", out)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	t.Setenv("BATON_AWS_SECRET_ACCESS_KEY", secret2)
	p = batontest.StartProcessAt(t, dir, p.Addr)
	if _, err := sqsWith(p.URL, id, secret2).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("rotated secret refused: %v", err)
	}
	if _, err := sqsWith(p.URL, id, secret).ListQueues(ctx, &sqs.ListQueuesInput{}); err == nil {
		t.Fatal("the replaced secret still works")
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	t.Setenv("BATON_AWS_SECRET_ACCESS_KEY", "")
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(cctx, batonBinary(t), "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "both BATON_AWS_ACCESS_KEY_ID and BATON_AWS_SECRET_ACCESS_KEY") {
		t.Errorf("half a pair: %v\n%s", err, out)
	}
}
