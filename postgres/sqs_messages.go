package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/sqs"
)

// Across replicas: standard receives take rows with FOR UPDATE SKIP LOCKED,
// so two receivers never get the same message; everything that touches the
// order of a FIFO queue (deduplicated sends, receives) first takes the
// queue's transaction-scoped advisory lock (class 1), so message numbers are
// assigned in commit order and a group's head is never handed out twice.

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const insertMessage = `INSERT INTO sqs_messages (queue_id, message_id, body, attributes, trace, group_id, dedup_id, sent_at, visible_at, expires_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`

// lockQueue serializes FIFO work on a queue until the transaction ends.
func (tx *sqsTx) lockQueue(queueID int64) error {
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(1, $1::int)`, int32(queueID)); err != nil {
		return fmt.Errorf("lock queue: %w", err)
	}
	return nil
}

// InsertMessages implements sqs.Tx: one COPY-free batch of inserts.
func (tx *sqsTx) InsertMessages(queueID int64, msgs []sqs.NewMessage) error {
	b := &pgx.Batch{}
	for _, nm := range msgs {
		a, err := messageArgs(queueID, nm.Message, nm.VisibleAt, nm.ExpiresAt)
		if err != nil {
			return err
		}
		b.Queue(insertMessage, a...)
	}
	if err := tx.tx.SendBatch(tx.ctx, b).Close(); err != nil {
		return fmt.Errorf("insert messages: %w", err)
	}
	tx.Notify(ChannelSQS, fmt.Sprint(queueID))
	return nil
}

func messageArgs(queueID int64, m *sqs.Message, visibleAt, expiresAt time.Time) ([]any, error) {
	var attrs any
	if len(m.Attributes) > 0 {
		b, err := json.Marshal(m.Attributes)
		if err != nil {
			return nil, fmt.Errorf("encode message attributes: %w", err)
		}
		attrs = b
	}
	return []any{queueID, m.ID, m.Body, attrs, nullString(m.TraceHeader), nullString(m.GroupID), nullString(m.DedupID),
		m.SentAt.UnixMilli(), visibleAt.UnixMilli(), expiresAt.UnixMilli()}, nil
}

// InsertMessage implements sqs.Tx.
func (tx *sqsTx) InsertMessage(queueID int64, m *sqs.Message, visibleAt, expiresAt time.Time) (int64, error) {
	args, err := messageArgs(queueID, m, visibleAt, expiresAt)
	if err != nil {
		return 0, err
	}
	if m.GroupID != "" {
		if err := tx.lockQueue(queueID); err != nil {
			return 0, err
		}
	}
	var id int64
	if err := tx.QueryRow(insertMessage, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	tx.Notify(ChannelSQS, fmt.Sprint(queueID))
	return id, nil
}

// Dedup implements sqs.Tx. It takes the queue's lock first, so a concurrent
// send with the same key on another replica waits and then finds this one.
func (tx *sqsTx) Dedup(queueID int64, key string, now time.Time) (string, int64, bool, error) {
	if err := tx.lockQueue(queueID); err != nil {
		return "", 0, false, err
	}
	var id string
	var seq int64
	err := tx.QueryRow(`SELECT message_id, seq FROM sqs_dedup WHERE queue_id = $1 AND key = $2 AND expires_at > $3`,
		queueID, key, now.UnixMilli()).Scan(&id, &seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("deduplication lookup: %w", err)
	}
	return id, seq, true, nil
}

// PutDedup implements sqs.Tx.
func (tx *sqsTx) PutDedup(queueID int64, key, messageID string, seq int64, expires time.Time) error {
	_, err := tx.Exec(`INSERT INTO sqs_dedup (queue_id, key, message_id, seq, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (queue_id, key) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
		queueID, key, messageID, seq, expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("record deduplication id: %w", err)
	}
	return nil
}

// receiveSet marks the chosen rows received: $1 visible until, $2 now.
const receiveSet = `UPDATE sqs_messages SET visible_at = $1, receive_count = receive_count + 1,
		first_receive_at = CASE first_receive_at WHEN 0 THEN $2 ELSE first_receive_at END,
		receipt = 1 + floor(random() * 9007199254740991)::bigint
	WHERE id IN (`

const receiveReturning = `)
	RETURNING id, message_id, body, attributes, trace, group_id, dedup_id, dlq_source, sent_at, receive_count, first_receive_at, receipt`

// receiveStandard takes available messages that no other receiver is
// taking right now.
const receiveStandard = receiveSet + `SELECT id FROM sqs_messages
		WHERE queue_id = $3 AND visible_at <= $2 AND expires_at > $2 LIMIT $4 FOR UPDATE SKIP LOCKED` + receiveReturning

// fifoHeads finds the first message of every group that is visible now: a
// group whose first message is in flight (or delayed) is blocked.
const fifoHeads = `SELECT m.id, m.group_id FROM sqs_messages m
	JOIN (SELECT min(id) AS id FROM sqs_messages WHERE queue_id = $1 AND group_id IS NOT NULL GROUP BY group_id) h ON h.id = m.id
	WHERE m.visible_at <= $2 AND m.expires_at > $2 ORDER BY m.id LIMIT $3`

// fifoFollowers lists the messages after a group's head, in order.
const fifoFollowers = `SELECT id, visible_at <= $4 AND expires_at > $4 FROM sqs_messages
	WHERE queue_id = $1 AND group_id = $2 AND id > $3 ORDER BY id LIMIT $5`

// Receive implements sqs.Tx.
func (tx *sqsTx) Receive(q *sqs.Queue, now, until time.Time, max int) ([]*sqs.Message, error) {
	if q.Fifo {
		return tx.receiveFIFO(q, now, until, max)
	}
	return scanReceived(tx.Query(receiveStandard, until.UnixMilli(), now.UnixMilli(), q.ID, max))
}

// receiveFIFO takes, group after group in the order of their visible heads,
// the head and the visible messages that follow it, so one receive returns as
// many messages of one group as it can, in order, before the next group.
func (tx *sqsTx) receiveFIFO(q *sqs.Queue, now, until time.Time, max int) ([]*sqs.Message, error) {
	if err := tx.lockQueue(q.ID); err != nil {
		return nil, err
	}
	ms := now.UnixMilli()
	type head struct {
		id    int64
		group string
	}
	var heads []head
	rows, err := tx.Query(fifoHeads, q.ID, ms, max)
	if err != nil {
		return nil, fmt.Errorf("receive fifo: %w", err)
	}
	for rows.Next() {
		var h head
		if err := rows.Scan(&h.id, &h.group); err != nil {
			rows.Close()
			return nil, fmt.Errorf("receive fifo: %w", err)
		}
		heads = append(heads, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receive fifo: %w", err)
	}
	ids := make([]int64, 0, max)
	for _, h := range heads {
		if len(ids) >= max {
			break
		}
		ids = append(ids, h.id)
		more, err := tx.followers(q.ID, h.group, h.id, ms, max-len(ids))
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	msgs, err := scanReceived(tx.Query(receiveSet+`SELECT unnest($3::bigint[])`+receiveReturning, until.UnixMilli(), ms, ids))
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	sort.Slice(msgs, func(i, j int) bool { return pos[msgs[i].Row] < pos[msgs[j].Row] })
	return msgs, nil
}

// followers returns the ids after a group's head that are visible, up to the
// first that is not.
func (tx *sqsTx) followers(queueID int64, group string, after, now int64, limit int) ([]int64, error) {
	rows, err := tx.Query(fifoFollowers, queueID, group, after, now, limit)
	if err != nil {
		return nil, fmt.Errorf("receive fifo: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		var ok bool
		if err := rows.Scan(&id, &ok); err != nil {
			return nil, fmt.Errorf("receive fifo: %w", err)
		}
		if !ok {
			break
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func scanReceived(rows pgx.Rows, err error) ([]*sqs.Message, error) {
	if err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	defer rows.Close()
	var out []*sqs.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receive: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out, nil
}

func scanMessage(rows pgx.Rows) (*sqs.Message, error) {
	var m sqs.Message
	var attrs []byte
	var trace, group, dedup, source *string
	var sent, first int64
	if err := rows.Scan(&m.Row, &m.ID, &m.Body, &attrs, &trace, &group, &dedup, &source, &sent, &m.ReceiveCount, &first, &m.Receipt); err != nil {
		return nil, fmt.Errorf("scan message: %w", err)
	}
	if len(attrs) > 0 {
		if err := json.Unmarshal(attrs, &m.Attributes); err != nil {
			return nil, fmt.Errorf("decode message attributes: %w", err)
		}
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	m.TraceHeader, m.GroupID, m.DedupID, m.DeadLetterSource = deref(trace), deref(group), deref(dedup), deref(source)
	m.SentAt, m.FirstReceive = time.UnixMilli(sent), time.UnixMilli(first)
	if m.GroupID != "" {
		m.Seq = m.Row
	}
	return &m, nil
}

// MoveMessages implements sqs.Tx.
func (tx *sqsTx) MoveMessages(rows []int64, dlq int64, source string, now time.Time, retention time.Duration) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.Exec(`UPDATE sqs_messages SET queue_id = $1, dlq_source = $2, visible_at = $3, expires_at = sent_at + $4,
		receive_count = 0, first_receive_at = 0, receipt = 0 WHERE id = ANY($5)`,
		dlq, source, now.UnixMilli(), retention.Milliseconds(), rows); err != nil {
		return fmt.Errorf("move to dead-letter queue: %w", err)
	}
	tx.Notify(ChannelSQS, fmt.Sprint(dlq))
	return nil
}

// DeleteMessage implements sqs.Tx.
func (tx *sqsTx) DeleteMessage(queueID, row, receipt int64, heldAt time.Time) (deleted, held bool, err error) {
	if heldAt.IsZero() {
		tag, err := tx.Exec(`DELETE FROM sqs_messages WHERE id = $1 AND queue_id = $2 AND receipt = $3`, row, queueID, receipt)
		if err != nil {
			return false, false, fmt.Errorf("delete message: %w", err)
		}
		return tag.RowsAffected() > 0, false, nil
	}
	// One round trip: the delete, and whether the message is still there
	// when it deleted nothing.
	err = tx.QueryRow(`WITH d AS (
			DELETE FROM sqs_messages WHERE id = $1 AND queue_id = $2 AND receipt = $3 AND visible_at > $4 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM d),
			NOT EXISTS (SELECT 1 FROM d) AND EXISTS (SELECT 1 FROM sqs_messages WHERE id = $1 AND queue_id = $2)`,
		row, queueID, receipt, heldAt.UnixMilli()).Scan(&deleted, &held)
	if err != nil {
		return false, false, fmt.Errorf("delete message: %w", err)
	}
	return deleted, held, nil
}

// ChangeVisibility implements sqs.Tx.
func (tx *sqsTx) ChangeVisibility(queueID, row, receipt int64, now, until time.Time) (bool, error) {
	tag, err := tx.Exec(`UPDATE sqs_messages SET visible_at = $1 WHERE id = $2 AND queue_id = $3 AND receipt = $4 AND visible_at > $5`,
		until.UnixMilli(), row, queueID, receipt, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("change visibility: %w", err)
	}
	if !until.After(now) {
		tx.Notify(ChannelSQS, fmt.Sprint(queueID))
	}
	return tag.RowsAffected() > 0, nil
}

// Purge implements sqs.Tx.
func (tx *sqsTx) Purge(queueID int64) error {
	if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_id = $1`, queueID); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	return nil
}

// Sweep implements sqs.Tx.
func (tx *sqsTx) Sweep(queueID int64, now time.Time) error {
	ms := now.UnixMilli()
	if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_id = $1 AND expires_at <= $2`, queueID, ms); err != nil {
		return fmt.Errorf("sweep messages: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM sqs_dedup WHERE queue_id = $1 AND expires_at <= $2`, queueID, ms); err != nil {
		return fmt.Errorf("sweep deduplication ids: %w", err)
	}
	return nil
}
