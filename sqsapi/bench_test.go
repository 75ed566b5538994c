package sqsapi_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// benchClient is the client of `baton bench sqs`: aws-sdk-go-v2 with enough
// idle connections for the workers and no retries.
func benchClient(url, id, secret string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute,
		}},
		RetryMaxAttempts: 1,
	})
}

// benchSend measures sends end to end as `baton bench sqs` does: a real baton
// (SQLite, FULL durability, SigV4 on), the AWS SDK over loopback, 16 workers
// per CPU, 256-byte bodies; batch is messages per call. Profile the server
// side with -cpuprofile.
func benchSend(b *testing.B, batch int) {
	in := batontest.Start(b, server.Config{Out: io.Discard})
	id, secret := in.AWSKeys()
	c := benchClient(in.URL, id, secret)
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := aws.String(strings.Repeat("x", 256))
	entries := make([]types.SendMessageBatchRequestEntry, batch)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: body}
	}
	b.SetParallelism(16)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if batch == 1 {
				if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: body}); err != nil {
					b.Error(err)
					return
				}
				continue
			}
			out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries})
			if err != nil || len(out.Failed) > 0 {
				b.Error(err, out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "msg/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	reportCommits(b, in)
}

// cpuTime returns the CPU time the process used so far (client and server
// alike): unlike throughput, it hardly depends on what else the machine runs.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCommits reports how many write transactions shared a group commit
// and how long commits took, from the server's metrics.
func reportCommits(b *testing.B, in *batontest.Instance) {
	mfs, err := in.Registry().Gather()
	if err != nil {
		b.Fatal(err)
	}
	sums := map[string][2]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				sums[mf.GetName()] = [2]float64{h.GetSampleSum(), float64(h.GetSampleCount())}
			}
		}
	}
	t, n := sums["baton_store_commit_duration_seconds"], sums["baton_store_commit_transactions"]
	if t[1] > 0 {
		b.ReportMetric(n[0]/n[1], "tx/commit")
		b.ReportMetric(t[0]/t[1]*1000, "ms/commit")
		b.ReportMetric(t[1]/float64(b.N), "commits/op")
	}
}

// BenchmarkReceiveDelete measures ReceiveMessage of one message and
// DeleteMessage, the receive+delete phase of `baton bench sqs`, on a queue
// filled beforehand with b.N messages.
func BenchmarkReceiveDelete(b *testing.B) {
	in := batontest.Start(b, server.Config{Out: io.Discard})
	id, secret := in.AWSKeys()
	c := benchClient(in.URL, id, secret)
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := aws.String(strings.Repeat("x", 256))
	for sent := 0; sent < b.N; sent += 10 {
		entries := make([]types.SendMessageBatchRequestEntry, min(10, b.N-sent))
		for i := range entries {
			entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: body}
		}
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(16)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
			if err != nil || len(out.Messages) != 1 {
				b.Error(err, out)
				return
			}
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	reportCommits(b, in)
}

func BenchmarkSendMessage(b *testing.B)        { benchSend(b, 1) }
func BenchmarkSendMessageBatch10(b *testing.B) { benchSend(b, 10) }
