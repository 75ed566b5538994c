package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
)

// BenchmarkSQSStore measures the store alone (no HTTP): 32 goroutines send,
// then receive and delete, 256-byte messages, durable commits.
func BenchmarkSQSStore(b *testing.B) {
	ctx := context.Background()
	var commits, ops atomic.Int64
	var commitTime atomic.Int64
	_, svc, q := benchQueue(b, sqlite.Options{OnCommit: func(n int, took time.Duration) {
		commits.Add(1)
		ops.Add(int64(n))
		commitTime.Add(int64(took))
	}})
	body := strings.Repeat("x", 256)
	run := func(name string, n int, f func() int) {
		var left atomic.Int64
		left.Store(int64(n))
		commits.Store(0)
		ops.Store(0)
		commitTime.Store(0)
		start := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for left.Load() > 0 {
					left.Add(-int64(f()))
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), name+"-msg/s")
		b.Logf("%s: %d msgs in %v = %.0f/s; %d commits, %.1f ops each, %.2fms each", name, n, el, float64(n)/el.Seconds(),
			commits.Load(), float64(ops.Load())/float64(commits.Load()), float64(commitTime.Load())/float64(commits.Load())/1e6)
	}
	n := benchMessages()
	for i := 0; i < b.N; i++ {
		run("send", n, func() int {
			if _, err := svc.Send(ctx, q, sqs.SendInput{Body: body}); err != nil {
				b.Error(err)
			}
			return 1
		})
		run("recv+del", n, func() int {
			msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{MaxMessages: 1})
			if err != nil {
				b.Error(err)
			}
			for _, m := range msgs {
				if _, err := svc.Delete(ctx, q, []string{m.ReceiptHandle}); err != nil {
					b.Error(err)
				}
			}
			return len(msgs)
		})
	}
}

// benchMessages is BATON_BENCH_MESSAGES, default 20000.
func benchMessages() int {
	if n, err := strconv.Atoi(os.Getenv("BATON_BENCH_MESSAGES")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// BenchmarkSQSInsertGroup measures the writer's work for one combined send
// of plain messages: one write transaction inserting them. 8 is the size of
// a group commit under 32 single sends, 112 under 32 batches of ten.
// Synchronous NORMAL leaves the fsync out, so the figure is CPU;
// cpu-µs/msg counts every goroutine.
func BenchmarkSQSInsertGroup(b *testing.B) {
	for _, group := range []int{8, 112} {
		b.Run(strconv.Itoa(group), func(b *testing.B) { benchInsertGroup(b, group) })
	}
}

func benchInsertGroup(b *testing.B, group int) {
	ctx := context.Background()
	st, _, q := benchQueue(b, sqlite.Options{Synchronous: "NORMAL"})
	body := strings.Repeat("x", 256)
	msgs := make([]sqs.Message, group)
	news := make([]sqs.NewMessage, group)
	ids := make([]string, group)
	for i := range ids {
		ids[i] = fmt.Sprintf("0b9d6c1e-3f0a-4a53-9d1c-0c6f1f%06d", i)
	}
	cpu0 := processCPU(b)
	for b.Loop() {
		now := time.Now()
		for i := range msgs {
			msgs[i] = sqs.Message{ID: ids[i], Body: body, SentAt: now}
			news[i] = sqs.NewMessage{Message: &msgs[i], VisibleAt: now, ExpiresAt: now.Add(96 * time.Hour)}
		}
		if err := st.Update(ctx, func(tx sqs.Tx) error { return tx.InsertMessages(q.ID, news) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/1000/float64(b.N*group), "cpu-µs/msg")
}

// benchQueue opens a store in a temporary directory (closed when b ends)
// and returns it with an SQS service on it and a standard queue.
func benchQueue(b *testing.B, opts sqlite.Options) (*sqlite.SQSStore, *sqs.Service, *sqs.Queue) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	st, err := sqlite.NewSQSStore(db)
	if err != nil {
		b.Fatal(err)
	}
	svc := sqs.NewService(st, clock.Real{}, sqs.Config{})
	q, err := svc.CreateQueue(ctx, "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return st, svc, q
}

// processCPU returns the CPU time this process used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
