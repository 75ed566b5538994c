package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"), sqlite.Options{OnCommit: func(n int, took time.Duration) {
		commits.Add(1)
		ops.Add(int64(n))
		commitTime.Add(int64(took))
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st, err := sqlite.NewSQSStore(db)
	if err != nil {
		b.Fatal(err)
	}
	svc := sqs.NewService(st, clock.Real{}, sqs.Config{})
	q, err := svc.CreateQueue(ctx, "bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
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
