package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"strings"
	"time"

	"github.com/batonhq/baton/sqs"
)

// SQSStore implements sqs.Store on a DB.
type SQSStore struct {
	db *DB
}

var _ sqs.Store = (*SQSStore)(nil)

// NewSQSStore returns the queue store of db.
func NewSQSStore(db *DB) *SQSStore { return &SQSStore{db: db} }

// Update implements sqs.Store.
func (s *SQSStore) Update(ctx context.Context, fn func(sqs.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(&sqsTx{Tx: tx, store: s}) })
}

// SQSTx adapts a write transaction to sqs.Tx, so another domain can enqueue
// a message (sqs.Service.SendInTx) in the same transaction as its change.
func (s *SQSStore) SQSTx(tx *Tx) sqs.Tx { return &sqsTx{Tx: tx, store: s} }

const queueColumns = `id, account, name, attributes, tags, created_at, modified_at, purged_at`

func scanQueue(row interface{ Scan(...any) error }) (*sqs.Queue, error) {
	var q sqs.Queue
	var attrs, tags string
	var created, modified, purged int64
	if err := row.Scan(&q.ID, &q.Account, &q.Name, &attrs, &tags, &created, &modified, &purged); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, sqs.Errorf(sqs.CodeQueueDoesNotExist, "The specified queue does not exist.")
		}
		return nil, fmt.Errorf("scan queue: %w", err)
	}
	if err := json.Unmarshal([]byte(attrs), &q.Attributes); err != nil {
		return nil, fmt.Errorf("queue %s attributes: %w", q.Name, err)
	}
	if err := json.Unmarshal([]byte(tags), &q.Tags); err != nil {
		return nil, fmt.Errorf("queue %s tags: %w", q.Name, err)
	}
	q.Created, q.Modified = time.UnixMilli(created), time.UnixMilli(modified)
	if purged != 0 {
		q.PurgedAt = time.UnixMilli(purged)
	}
	return &q, nil
}

func scanQueues(rows pgx.Rows, err error) ([]*sqs.Queue, error) {
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	defer rows.Close()
	var out []*sqs.Queue
	for rows.Next() {
		q, err := scanQueue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// QueueByName implements sqs.Store.
func (s *SQSStore) QueueByName(ctx context.Context, account, name string) (*sqs.Queue, error) {
	return scanQueue(s.db.pool.QueryRow(ctx, `SELECT `+queueColumns+` FROM sqs_queues WHERE account = $1 AND name = $2`, account, name))
}

// Queues implements sqs.Store.
func (s *SQSStore) Queues(ctx context.Context, account, prefix, after string, limit int) ([]*sqs.Queue, error) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	return scanQueues(s.db.pool.Query(ctx, `SELECT `+queueColumns+` FROM sqs_queues
		WHERE account = $1 AND name LIKE $2 ESCAPE '\' AND name > $3 ORDER BY name LIMIT $4`, account, like, after, limit))
}

// DeadLetterSources implements sqs.Store.
func (s *SQSStore) DeadLetterSources(ctx context.Context, arn, after string, limit int) ([]*sqs.Queue, error) {
	return scanQueues(s.db.pool.Query(ctx, `SELECT `+queueColumns+` FROM sqs_queues
		WHERE dlq_arn = $1 AND name > $2 ORDER BY name LIMIT $3`, arn, after, limit))
}

// Counts implements sqs.Store.
func (s *SQSStore) Counts(ctx context.Context, queueID int64, now time.Time) (sqs.Counts, error) {
	var c sqs.Counts
	err := s.db.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE visible_at <= $1),
			count(*) FILTER (WHERE visible_at > $1 AND receive_count > 0),
			count(*) FILTER (WHERE visible_at > $1 AND receive_count = 0)
		FROM sqs_messages WHERE queue_id = $2 AND expires_at > $1`, now.UnixMilli(), queueID).Scan(&c.Visible, &c.NotVisible, &c.Delayed)
	if err != nil {
		return c, fmt.Errorf("count messages: %w", err)
	}
	return c, nil
}

// NextVisible implements sqs.Store.
func (s *SQSStore) NextVisible(ctx context.Context, queueID int64, now time.Time) (time.Time, bool, error) {
	var at *int64
	err := s.db.pool.QueryRow(ctx, `SELECT min(visible_at) FROM sqs_messages WHERE queue_id = $1 AND visible_at > $2`,
		queueID, now.UnixMilli()).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next visible: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(*at), true, nil
}

type sqsTx struct {
	*Tx
	store *SQSStore
}

// QueueByName implements sqs.Tx.
func (tx *sqsTx) QueueByName(account, name string) (*sqs.Queue, error) {
	return scanQueue(tx.QueryRow(`SELECT `+queueColumns+` FROM sqs_queues WHERE account = $1 AND name = $2`, account, name))
}

// InsertQueue implements sqs.Tx.
func (tx *sqsTx) InsertQueue(q *sqs.Queue) error {
	attrs, tags, dlq := queueJSON(q)
	err := tx.QueryRow(`INSERT INTO sqs_queues (account, name, attributes, tags, dlq_arn, created_at, modified_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account, name) DO NOTHING RETURNING id`,
		q.Account, q.Name, string(attrs), string(tags), dlq, q.Created.UnixMilli(), q.Modified.UnixMilli()).Scan(&q.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqs.Errorf(sqs.CodeQueueNameExists, "A queue already exists with the same name and a different value for an attribute.")
	}
	if err != nil {
		return fmt.Errorf("insert queue: %w", err)
	}
	tx.Notify(ChannelSQS, PayloadQueues)
	return nil
}

func queueJSON(q *sqs.Queue) (attrs, tags []byte, dlq string) {
	attrs, _ = json.Marshal(q.Attributes)
	tags, _ = json.Marshal(q.Tags)
	if q.Tags == nil {
		tags = []byte("{}")
	}
	return attrs, tags, q.DeadLetterTarget()
}

// UpdateQueue implements sqs.Tx.
func (tx *sqsTx) UpdateQueue(q *sqs.Queue) error {
	attrs, tags, dlq := queueJSON(q)
	var purged int64
	if !q.PurgedAt.IsZero() {
		purged = q.PurgedAt.UnixMilli()
	}
	_, err := tx.Exec(`UPDATE sqs_queues SET attributes = $1, tags = $2, dlq_arn = $3, modified_at = $4, purged_at = $5 WHERE id = $6`,
		string(attrs), string(tags), dlq, q.Modified.UnixMilli(), purged, q.ID)
	if err != nil {
		return fmt.Errorf("update queue: %w", err)
	}
	tx.Notify(ChannelSQS, PayloadQueues)
	return nil
}

// DeleteQueue implements sqs.Tx.
func (tx *sqsTx) DeleteQueue(id int64) error {
	for _, q := range []string{
		`DELETE FROM sqs_messages WHERE queue_id = $1`,
		`DELETE FROM sqs_dedup WHERE queue_id = $1`,
		`DELETE FROM sqs_queues WHERE id = $1`,
	} {
		if _, err := tx.Exec(q, id); err != nil {
			return fmt.Errorf("delete queue: %w", err)
		}
	}
	tx.Notify(ChannelSQS, PayloadQueues)
	return nil
}
