package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/sqs"
)

// benchWorkers is how many goroutines write at once, as concurrent requests would.
const benchWorkers = 32

// Bench measures the store alone (no HTTP), with durable commits and 32
// concurrent writers: event ingest, SQS single and batched sends, and
// receive+delete. Each op/s figure is comparable across engines.
func Bench(b *testing.B, e Engine) {
	b.Run("EventIngest", func(b *testing.B) { benchEvents(b, e) })
	for _, batch := range []int{1, 10} {
		b.Run(fmt.Sprint("SQSSend/batch=", batch), func(b *testing.B) { benchSend(b, e, batch) })
		b.Run(fmt.Sprint("SQSReceiveDelete/batch=", batch), func(b *testing.B) { benchReceive(b, e, batch) })
	}
}

// parallel runs f n times from benchWorkers goroutines and reports ops/s.
func parallel(b *testing.B, n int, unit string, f func(i int) int) {
	var next, done atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				done.Add(int64(f(int(i))))
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(done.Load())/time.Since(start).Seconds(), unit+"/s")
}

func benchEvents(b *testing.B, e Engine) {
	s := e.Open(b)
	ctx := context.Background()
	b.ResetTimer()
	parallel(b, b.N, "events", func(i int) int {
		ev := event(fmt.Sprint("bench-", i), "sh.keptn.event.test.triggered", fmt.Sprint("k", i), i%3600, "p", "dev", "web", "")
		body, _ := json.Marshal(ev)
		if err := s.Keptn.Update(ctx, func(tx keptn.Tx) error { return tx.InsertEvent(ev, body) }); err != nil {
			b.Error(err)
		}
		return 1
	})
}

func benchQueue(b *testing.B, e Engine) (*sqs.Service, *sqs.Queue) {
	s := e.Open(b)
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
	q, err := svc.CreateQueue(context.Background(), "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return svc, q
}

// send sends n messages of 256 bytes, batch at a time, from benchWorkers goroutines.
func send(b *testing.B, svc *sqs.Service, q *sqs.Queue, n, batch int) {
	body := strings.Repeat("x", 256)
	parallel(b, n, "messages", func(int) int {
		in := make([]sqs.SendInput, batch)
		for j := range in {
			in[j] = sqs.SendInput{ID: fmt.Sprint("e", j), Body: body}
		}
		var err error
		if batch == 1 {
			_, err = svc.Send(context.Background(), q, in[0])
		} else {
			_, err = svc.SendBatch(context.Background(), q, in)
		}
		if err != nil {
			b.Error(err)
		}
		return batch
	})
}

// benchSend: b.N calls, batch messages each.
func benchSend(b *testing.B, e Engine, batch int) {
	svc, q := benchQueue(b, e)
	b.ResetTimer()
	send(b, svc, q, b.N, batch)
}

// benchReceive: b.N calls receiving (and deleting) up to batch messages
// each, from a queue filled beforehand.
func benchReceive(b *testing.B, e Engine, batch int) {
	svc, q := benchQueue(b, e)
	send(b, svc, q, b.N, batch)
	ctx := context.Background()
	b.ResetTimer()
	parallel(b, b.N, "messages", func(int) int {
		msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{MaxMessages: batch})
		if err != nil {
			b.Error(err)
		}
		handles := make([]string, len(msgs))
		for i, m := range msgs {
			handles[i] = m.ReceiptHandle
		}
		if len(handles) > 0 {
			if _, err := svc.Delete(ctx, q, handles); err != nil {
				b.Error(err)
			}
		}
		return len(msgs)
	})
}
