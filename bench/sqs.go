// Package bench measures baton (or any compatible server) the way its users
// would: real clients over loopback HTTP, reporting throughput and latency
// percentiles. One file per face.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSConfig configures an SQS benchmark.
type SQSConfig struct {
	// Endpoint is the server's URL, e.g. http://127.0.0.1:8080, or several
	// comma-separated replicas on one database: worker i then talks to
	// replica i mod n, so messages sent through one are received through
	// the others.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	// Queue is the queue to create and use (default baton-bench-<time>).
	Queue string
	// Concurrency is the number of workers (default 32).
	Concurrency int
	// Batch is messages per call: 1 uses SendMessage and single receives and
	// deletes; 2-10 use SendMessageBatch, ReceiveMessage of up to Batch and
	// DeleteMessageBatch.
	Batch int
	// Messages is how many messages to send and then receive (default 100000).
	Messages int
	// BodySize is the message body size in bytes (default 256).
	BodySize int
	// ServerPID, when set, is the process id of the server on this machine
	// (Linux): each phase then reports the CPU time it used per message.
	ServerPID int
}

// SQSResult is one measured phase.
type SQSResult struct {
	Phase    string
	Messages int
	Calls    int
	Elapsed  time.Duration
	P50, P99 time.Duration
	// ServerCPU is the CPU time the server process used in the phase (set
	// with SQSConfig.ServerPID).
	ServerCPU time.Duration
	// OwnCPU is the CPU time this process used in the phase: the client's,
	// and the server's too when it runs embedded (zero where the operating
	// system does not tell).
	OwnCPU time.Duration
}

// PerSecond returns messages per second.
func (r SQSResult) PerSecond() float64 { return float64(r.Messages) / r.Elapsed.Seconds() }

// String formats r as one report line.
func (r SQSResult) String() string {
	s := fmt.Sprintf("%-16s %8d msgs %7d calls in %7.2fs  %9.0f msg/s  p50 %7.2fms  p99 %7.2fms",
		r.Phase, r.Messages, r.Calls, r.Elapsed.Seconds(), r.PerSecond(),
		float64(r.P50.Microseconds())/1000, float64(r.P99.Microseconds())/1000)
	if r.OwnCPU > 0 && r.Messages > 0 {
		s += fmt.Sprintf("  own cpu %6.1fµs/msg", float64(r.OwnCPU.Nanoseconds())/1000/float64(r.Messages))
	}
	if r.ServerCPU > 0 && r.Messages > 0 {
		s += fmt.Sprintf("  server cpu %6.1fµs/msg %4.2f cores",
			float64(r.ServerCPU.Nanoseconds())/1000/float64(r.Messages), r.ServerCPU.Seconds()/r.Elapsed.Seconds())
	}
	return s
}

func (c *SQSConfig) defaults() error {
	if c.Endpoint == "" {
		return errors.New("bench: endpoint is required")
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccessKey == "" {
		c.AccessKey, c.SecretKey = "bench", "bench"
	}
	if c.Queue == "" {
		c.Queue = "baton-bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 32
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.Batch > 10 {
		return errors.New("bench: batch must be 1 to 10")
	}
	if c.Messages <= 0 {
		c.Messages = 100000
	}
	if c.BodySize <= 0 {
		c.BodySize = 256
	}
	return nil
}

// RunSQS creates a queue, sends Messages messages with Concurrency workers,
// then receives and deletes them all, and reports both phases. Progress and
// results go to out.
func RunSQS(ctx context.Context, cfg SQSConfig, out io.Writer) ([]SQSResult, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	var clients []*sqs.Client
	for _, ep := range strings.Split(cfg.Endpoint, ",") {
		clients = append(clients, sqs.New(sqs.Options{
			Region:       cfg.Region,
			BaseEndpoint: aws.String(strings.TrimSpace(ep)),
			Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
			HTTPClient: &http.Client{Transport: &http.Transport{
				MaxIdleConns: cfg.Concurrency * 2, MaxIdleConnsPerHost: cfg.Concurrency * 2, IdleConnTimeout: time.Minute,
			}},
			RetryMaxAttempts: 1,
		}))
	}
	client := clients[0]
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(cfg.Queue)})
	if err != nil {
		return nil, fmt.Errorf("create queue: %w", err)
	}
	url := q.QueueUrl
	fmt.Fprintf(out, "sqs bench: %s queue %s, %d workers, batch %d, %d messages of %d bytes\n",
		cfg.Endpoint, cfg.Queue, cfg.Concurrency, cfg.Batch, cfg.Messages, cfg.BodySize)
	body := strings.Repeat("x", cfg.BodySize)
	send := runSQSPhase(ctx, "send", cfg, func(ctx context.Context, w, n int) (int, error) {
		return sendMessages(ctx, clients[w%len(clients)], url, body, n)
	})
	if send.err != nil {
		return nil, send.err
	}
	fmt.Fprintln(out, send.SQSResult)
	recv := runSQSPhase(ctx, "receive+delete", cfg, func(ctx context.Context, w, n int) (int, error) {
		// Receive through another replica than the one worker w sent with.
		return receiveAndDelete(ctx, clients[(w+1)%len(clients)], url, n)
	})
	if recv.err != nil {
		return nil, recv.err
	}
	fmt.Fprintln(out, recv.SQSResult)
	if _, err := client.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: url}); err != nil {
		return nil, fmt.Errorf("delete queue: %w", err)
	}
	return []SQSResult{send.SQSResult, recv.SQSResult}, nil
}

type sqsPhase struct {
	SQSResult
	err error
}

// runSQSPhase runs op with cfg.Concurrency workers until cfg.Messages messages
// are done; op, called by worker w, handles up to n messages and reports how
// many it did.
func runSQSPhase(ctx context.Context, name string, cfg SQSConfig, op func(ctx context.Context, w, n int) (int, error)) sqsPhase {
	var remaining atomic.Int64
	remaining.Store(int64(cfg.Messages))
	var (
		mu        sync.Mutex
		latencies []time.Duration
		firstErr  error
		wg        sync.WaitGroup
		done      atomic.Int64
		endOnce   sync.Once
		end       time.Time
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	own0, ownErr := processCPU(os.Getpid())
	var cpu0 time.Duration
	if cfg.ServerPID > 0 {
		var err error
		if cpu0, err = processCPU(cfg.ServerPID); err != nil {
			return sqsPhase{err: err}
		}
	}
	start := time.Now()
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			for remaining.Load() > 0 {
				n := int(min(int64(cfg.Batch), remaining.Load()))
				t0 := time.Now()
				got, err := op(ctx, w, n)
				if err != nil {
					mu.Lock()
					if firstErr == nil && ctx.Err() == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					break
				}
				mine = append(mine, time.Since(t0))
				done.Add(int64(got))
				if remaining.Add(-int64(got)) <= 0 {
					// The last message is done: stop the others' long polls.
					endOnce.Do(func() { end = time.Now(); cancel() })
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	endOnce.Do(func() { end = time.Now() })
	r := SQSResult{Phase: name, Messages: int(done.Load()), Calls: len(latencies), Elapsed: end.Sub(start)}
	r.P50, r.P99 = sqsPercentile(latencies, 0.50), sqsPercentile(latencies, 0.99)
	if own, err := processCPU(os.Getpid()); err == nil && ownErr == nil {
		r.OwnCPU = own - own0
	}
	if cfg.ServerPID > 0 && firstErr == nil {
		cpu, err := processCPU(cfg.ServerPID)
		if err != nil {
			return sqsPhase{err: err}
		}
		r.ServerCPU = cpu - cpu0
	}
	return sqsPhase{SQSResult: r, err: firstErr}
}

func sqsPercentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func sendMessages(ctx context.Context, c *sqs.Client, url *string, body string, n int) (int, error) {
	if n == 1 {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(body)})
		return 1, err
	}
	entries := make([]types.SendMessageBatchRequestEntry, n)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)}
	}
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
	if err != nil {
		return 0, err
	}
	if len(out.Failed) > 0 {
		return 0, fmt.Errorf("send batch: %d failed: %s", len(out.Failed), aws.ToString(out.Failed[0].Message))
	}
	return n, nil
}

func receiveAndDelete(ctx context.Context, c *sqs.Client, url *string, n int) (int, error) {
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: int32(n), WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) == 0 {
		return 0, err
	}
	if len(out.Messages) == 1 {
		_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle})
		return 1, err
	}
	entries := make([]types.DeleteMessageBatchRequestEntry, len(out.Messages))
	for i, m := range out.Messages {
		entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
	}
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: entries})
	if err != nil {
		return 0, err
	}
	if len(del.Failed) > 0 {
		return 0, fmt.Errorf("delete batch: %d failed: %s", len(del.Failed), aws.ToString(del.Failed[0].Message))
	}
	return len(out.Messages), nil
}
