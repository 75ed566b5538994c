package sqlite

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batonhq/baton/outbox"
)

// BenchmarkOutboxCycle measures the store's share of outbox items as the
// worker drives it at saturation: items enqueued 16 to a transaction,
// claimed early 15 to 17 at a time (the worker's limit varies with its free
// slots) while about 128 others run, and their
// outcomes recorded 32 to a Complete. Run with -cpuprofile to see the
// claim's read and the writer's share.
func BenchmarkOutboxCycle(b *testing.B) {
	db := openTest(b)
	s := NewOutboxStore(db)
	s.EarlyClaim = true
	ctx := context.Background()
	payload := []byte(strings.Repeat("x", 600))
	enqueue := func(n int) {
		for i := 0; i < n; i += 16 {
			if err := db.Write(ctx, func(tx *Tx) error {
				for k := range 16 {
					if err := tx.Enqueue(Job{Kind: "webhook", Key: "e" + strconv.Itoa(i+k) + "-0", Payload: payload}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	enqueue(256)
	var running []outbox.Item
	claim := func() {
		items, err := s.Claim(ctx, time.Now(), 15+len(running)%3, time.Minute)
		if err != nil || len(items) == 0 {
			b.Fatalf("claimed %d: %v", len(items), err)
		}
		running = append(running, items...)
	}
	for len(running) < 128 {
		claim()
	}
	b.ResetTimer()
	for done := 0; done < b.N; done += 32 {
		enqueue(32)
		claim()
		claim()
		outs := make([]outbox.Outcome, 32)
		for i, it := range running[:32] {
			outs[i] = outbox.Outcome{ID: it.ID, Next: outbox.StateDone, Attempt: outbox.Attempt{Started: time.Now(), Status: 200, Excerpt: `{"ok":true}`}}
		}
		running = running[32:]
		if errs, err := s.Complete(ctx, outs); err != nil || errs != nil {
			b.Fatal(err, errs)
		}
	}
}
