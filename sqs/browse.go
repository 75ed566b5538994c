package sqs

import (
	"context"
	"time"
)

// Browser reads queues for an operator without acting as a consumer: counts
// of every queue at once and a peek that changes neither visibility nor
// receive counts.
type Browser interface {
	// AllCounts returns the approximate counts at now of every queue of
	// account that has messages, by queue id.
	AllCounts(ctx context.Context, account string, now time.Time) (map[int64]Counts, error)
	// Peek returns up to limit unexpired messages of a queue at now, oldest
	// first, whether visible, in flight or delayed.
	Peek(ctx context.Context, queueID int64, now time.Time, limit int) ([]*Message, error)
}
