package sqs

import (
	"context"
	"time"
)

// Store is what the queue domain needs from a storage engine.
//
// Lookups return *Error with CodeQueueDoesNotExist when the queue is absent.
type Store interface {
	// Update runs fn in a write transaction and returns after it committed
	// durably (nil), and the functions fn registered with AfterCommit ran,
	// or after it rolled back (fn's error).
	Update(ctx context.Context, fn func(Tx) error) error
	// QueueByName returns a queue.
	QueueByName(ctx context.Context, account, name string) (*Queue, error)
	// Queues returns up to limit queues of account whose names start with
	// prefix and sort after after, by name.
	Queues(ctx context.Context, account, prefix, after string, limit int) ([]*Queue, error)
	// DeadLetterSources returns up to limit queues whose RedrivePolicy targets
	// arn and whose names sort after after, by name.
	DeadLetterSources(ctx context.Context, arn, after string, limit int) ([]*Queue, error)
	// Counts returns the approximate message counts of a queue at now.
	Counts(ctx context.Context, queueID int64, now time.Time) (Counts, error)
	// NextVisible returns when the next message of the queue that is not
	// visible at now becomes visible; ok is false when there is none.
	NextVisible(ctx context.Context, queueID int64, now time.Time) (at time.Time, ok bool, err error)
}

// NewMessage is a message to store with its visibility and expiry.
type NewMessage struct {
	Message   *Message
	VisibleAt time.Time
	ExpiresAt time.Time
}

// Counts are a queue's approximate message counts.
type Counts struct {
	Visible    int // available for retrieval
	NotVisible int // in flight: received, not deleted, timeout not expired
	Delayed    int // sent with a delay that has not ended
}

// Tx is a write transaction.
type Tx interface {
	// AfterCommit registers f to run once the transaction is durable.
	AfterCommit(f func())

	// QueueByName returns a queue as the transaction sees it.
	QueueByName(account, name string) (*Queue, error)
	// InsertQueue stores a new queue and sets q.ID; CodeQueueNameExists when
	// the name is taken.
	InsertQueue(q *Queue) error
	// UpdateQueue stores q's attributes, tags, modified and purge times.
	UpdateQueue(q *Queue) error
	// DeleteQueue removes a queue with its messages and deduplication entries.
	DeleteQueue(id int64) error

	// InsertMessage stores m in the queue and returns its row (which is also
	// the FIFO sequence number).
	InsertMessage(queueID int64, m *Message, visibleAt, expiresAt time.Time) (int64, error)
	// InsertMessages stores several messages of a standard queue at once.
	InsertMessages(queueID int64, msgs []NewMessage) error
	// Dedup returns the message a deduplication key of the queue stands for,
	// if it was recorded and has not expired at now.
	Dedup(queueID int64, key string, now time.Time) (messageID string, seq int64, found bool, err error)
	// PutDedup records a deduplication key until expires.
	PutDedup(queueID int64, key, messageID string, seq int64, expires time.Time) error

	// Receive makes up to max messages of q that are visible and unexpired at
	// now invisible until until, increments their receive count, gives each a
	// new receipt nonce and returns them. On FIFO queues it skips every
	// message group with a message in flight and returns as many messages of
	// one group as it can, in order, before those of the next group (groups
	// taken in the order of their first messages).
	Receive(q *Queue, now, until time.Time, max int) ([]*Message, error)
	// MoveMessages moves the rows to the queue dlq as new, visible messages
	// whose DeadLetterSource is source, expiring at expires.
	MoveMessages(rows []int64, dlq int64, source string, now time.Time, retention time.Duration) error
	// DeleteMessage deletes a message if receipt is its latest receipt nonce
	// and, when heldAt is not zero (FIFO queues), the message is still in
	// flight at heldAt. Otherwise it deletes nothing, and held reports
	// whether the message is still in the queue: the receipt no longer holds
	// it (its visibility timeout expired, or it was received again).
	DeleteMessage(queueID, row, receipt int64, heldAt time.Time) (deleted, held bool, err error)
	// ChangeVisibility sets the visibility of an in-flight message whose latest
	// receipt nonce is receipt; false if there is no such message.
	ChangeVisibility(queueID, row, receipt int64, now, until time.Time) (bool, error)
	// Purge deletes every message of a queue.
	Purge(queueID int64) error
	// Sweep deletes the messages and deduplication entries of a queue that
	// expired at now.
	Sweep(queueID int64, now time.Time) error
}
