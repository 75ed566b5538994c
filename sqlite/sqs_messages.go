package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/batonhq/baton/sqs"
)

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Inserts say OR FAIL: a statement that would abort on a constraint (the
// default, OR ABORT) makes SQLite keep a statement journal for every
// multi-row insert in a transaction, copying each page it changes again
// (3 % of the writer's CPU for groups of single sends). A failing insert
// fails its whole write function, whose changes the store rolls back
// anyway, so the rows a failed statement kept never commit.
const (
	insertMessage = `INSERT OR FAIL INTO sqs_messages (queue_id, message_id, body, attributes, trace, group_id, dedup_id, sent_at, visible_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	moveMessage = `UPDATE sqs_messages SET queue_id = ?, dlq_source = ?, visible_at = ?, expires_at = sent_at + ?,
		receive_count = 0, first_receive_at = 0, receipt = 0 WHERE id = ?`
	deleteMessage     = `DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND receipt = ?`
	deleteHeldMessage = `DELETE FROM sqs_messages WHERE id = ? AND queue_id = ? AND receipt = ? AND visible_at > ?`
	changeVisibility  = `UPDATE sqs_messages SET visible_at = ? WHERE id = ? AND queue_id = ? AND receipt = ? AND visible_at > ?`
)

// maxInsertRows is the most rows one prepared multi-row insert takes.
const maxInsertRows = 10

const insertValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertStatements[n] inserts n rows.
var insertStatements = func() (out [maxInsertRows + 1]string) {
	for n := 1; n <= maxInsertRows; n++ {
		out[n] = insertMessage + strings.Repeat(", "+insertValues, n-1)
	}
	return out
}()

// plainInsertStatements[n] inserts n plain messages (no attributes, trace,
// group or deduplication id) of one queue that share their sent and expiry
// times: those are bound once, as ?1 to ?3, and each row binds only its
// message id, body and visibility time.
var plainInsertStatements = func() (out [maxInsertRows + 1]string) {
	for n := 1; n <= maxInsertRows; n++ {
		var b strings.Builder
		b.WriteString(`INSERT OR FAIL INTO sqs_messages (queue_id, sent_at, expires_at, message_id, body, visible_at) VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(?1, ?2, ?3, ?%d, ?%d, ?%d)", 4+3*i, 5+3*i, 6+3*i)
		}
		out[n] = b.String()
	}
	return out
}()

// plainBatch reports whether msgs can be stored with plainInsertStatements.
func plainBatch(msgs []sqs.NewMessage) bool {
	m0 := msgs[0]
	for _, nm := range msgs {
		m := nm.Message
		if len(m.Attributes) > 0 || m.TraceHeader != "" || m.GroupID != "" || m.DedupID != "" ||
			!m.SentAt.Equal(m0.Message.SentAt) || !nm.ExpiresAt.Equal(m0.ExpiresAt) {
			return false
		}
	}
	return true
}

// InsertMessages implements sqs.Tx: up to ten rows per statement.
func (tx *sqsTx) InsertMessages(queueID int64, msgs []sqs.NewMessage) error {
	for len(msgs) > 0 {
		n := min(len(msgs), maxInsertRows)
		if plainBatch(msgs[:n]) {
			args := make([]any, 3, 3+3*n)
			args[0], args[1], args[2] = queueID, msgs[0].Message.SentAt.UnixMilli(), msgs[0].ExpiresAt.UnixMilli()
			for _, nm := range msgs[:n] {
				args = append(args, nm.Message.ID, nm.Message.Body, nm.VisibleAt.UnixMilli())
			}
			if _, err := tx.exec(plainInsertStatements[n], args...); err != nil {
				return fmt.Errorf("insert messages: %w", err)
			}
			msgs = msgs[n:]
			continue
		}
		args := make([]any, 0, 10*n)
		for _, nm := range msgs[:n] {
			a, err := messageArgs(queueID, nm.Message, nm.VisibleAt, nm.ExpiresAt)
			if err != nil {
				return err
			}
			args = append(args, a...)
		}
		if _, err := tx.exec(insertStatements[n], args...); err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		msgs = msgs[n:]
	}
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
	res, err := tx.exec(insertMessage, args...)
	if err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	return res.LastInsertId()
}

// Dedup implements sqs.Tx.
func (tx *sqsTx) Dedup(queueID int64, key string, now time.Time) (string, int64, bool, error) {
	var id string
	var seq int64
	err := tx.QueryRow(`SELECT message_id, seq FROM sqs_dedup WHERE queue_id = ? AND key = ? AND expires_at > ?`,
		queueID, key, now.UnixMilli()).Scan(&id, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("deduplication lookup: %w", err)
	}
	return id, seq, true, nil
}

// PutDedup implements sqs.Tx.
func (tx *sqsTx) PutDedup(queueID int64, key, messageID string, seq int64, expires time.Time) error {
	_, err := tx.Exec(`INSERT INTO sqs_dedup (queue_id, key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (queue_id, key) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
		queueID, key, messageID, seq, expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("record deduplication id: %w", err)
	}
	return nil
}

const receiveSet = `UPDATE sqs_messages SET visible_at = ?1, receive_count = receive_count + 1,
		first_receive_at = CASE first_receive_at WHEN 0 THEN ?2 ELSE first_receive_at END,
		receipt = random()
	WHERE id IN (`

const receiveReturning = `)
	RETURNING id, message_id, body, attributes, trace, group_id, dedup_id, dlq_source, sent_at, receive_count, first_receive_at, receipt`

// receiveStandard picks any available messages: the index on
// (queue_id, visible_at) finds them without scanning in-flight ones.
const receiveStandard = receiveSet + `SELECT id FROM sqs_messages INDEXED BY sqs_messages_visible
		WHERE queue_id = ?3 AND visible_at <= ?2 AND expires_at > ?2 LIMIT ?4` + receiveReturning

// fifoHeads finds the first message of every group that is visible now: a
// group whose first message is in flight (or delayed) is blocked.
const fifoHeads = `SELECT m.id, m.group_id FROM sqs_messages m
	JOIN (SELECT min(id) AS id FROM sqs_messages WHERE queue_id = ?1 AND group_id IS NOT NULL GROUP BY group_id) h ON h.id = m.id
	WHERE m.visible_at <= ?2 AND m.expires_at > ?2 ORDER BY m.id LIMIT ?3`

// fifoFollowers lists the messages after a group's head, in order.
const fifoFollowers = `SELECT id, visible_at <= ?4 AND expires_at > ?4 FROM sqs_messages
	WHERE queue_id = ?1 AND group_id = ?2 AND id > ?3 ORDER BY id LIMIT ?5`

// receiveOne is receiveStandard for one message: a scalar subquery is
// cheaper than materializing an IN list.
const receiveOne = receiveSetOne + `SELECT id FROM sqs_messages INDEXED BY sqs_messages_visible
		WHERE queue_id = ?3 AND visible_at <= ?2 AND expires_at > ?2 LIMIT 1` + receiveReturning

const receiveSetOne = `UPDATE sqs_messages SET visible_at = ?1, receive_count = receive_count + 1,
		first_receive_at = CASE first_receive_at WHEN 0 THEN ?2 ELSE first_receive_at END,
		receipt = random()
	WHERE id = (`

// Receive implements sqs.Tx.
func (tx *sqsTx) Receive(q *sqs.Queue, now, until time.Time, max int) ([]*sqs.Message, error) {
	if q.Fifo {
		return tx.receiveFIFO(q, now, until, max)
	}
	if max == 1 {
		return scanReceived(tx.Query(receiveOne, until.UnixMilli(), now.UnixMilli(), q.ID))
	}
	return scanReceived(tx.Query(receiveStandard, until.UnixMilli(), now.UnixMilli(), q.ID, max))
}

// receiveFIFO takes, group after group in the order of their visible heads,
// the head and the visible messages that follow it, so one receive returns as
// many messages of one group as it can, in order, before the next group.
func (tx *sqsTx) receiveFIFO(q *sqs.Queue, now, until time.Time, max int) ([]*sqs.Message, error) {
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
	ids := make([]any, 0, max)
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
	msgs, err := scanReceived(tx.Query(receiveSet+`SELECT value FROM json_each(?3)`+receiveReturning,
		until.UnixMilli(), ms, idList(ids)))
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id.(int64)] = i
	}
	sort.Slice(msgs, func(i, j int) bool { return pos[msgs[i].Row] < pos[msgs[j].Row] })
	return msgs, nil
}

// followers returns the ids after a group's head that are visible, up to the
// first that is not.
func (tx *sqsTx) followers(queueID int64, group string, after, now int64, limit int) ([]any, error) {
	rows, err := tx.Query(fifoFollowers, queueID, group, after, now, limit)
	if err != nil {
		return nil, fmt.Errorf("receive fifo: %w", err)
	}
	defer rows.Close()
	var out []any
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

func idList(ids []any) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

func scanReceived(rows *sql.Rows, err error) ([]*sqs.Message, error) {
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

func scanMessage(rows *sql.Rows) (*sqs.Message, error) {
	var m sqs.Message
	var attrs []byte
	var trace, group, dedup, source sql.NullString
	var sent, first int64
	if err := rows.Scan(&m.Row, &m.ID, &m.Body, &attrs, &trace, &group, &dedup, &source, &sent, &m.ReceiveCount, &first, &m.Receipt); err != nil {
		return nil, fmt.Errorf("scan message: %w", err)
	}
	if len(attrs) > 0 {
		if err := json.Unmarshal(attrs, &m.Attributes); err != nil {
			return nil, fmt.Errorf("decode message attributes: %w", err)
		}
	}
	m.TraceHeader, m.GroupID, m.DedupID, m.DeadLetterSource = trace.String, group.String, dedup.String, source.String
	m.SentAt, m.FirstReceive = time.UnixMilli(sent), time.UnixMilli(first)
	if m.GroupID != "" {
		m.Seq = m.Row
	}
	return &m, nil
}

// MoveMessages implements sqs.Tx.
func (tx *sqsTx) MoveMessages(rows []int64, dlq int64, source string, now time.Time, retention time.Duration) error {
	for _, row := range rows {
		if _, err := tx.exec(moveMessage,
			dlq, source, now.UnixMilli(), retention.Milliseconds(), row); err != nil {
			return fmt.Errorf("move to dead-letter queue: %w", err)
		}
	}
	return nil
}

// DeleteMessage implements sqs.Tx.
func (tx *sqsTx) DeleteMessage(queueID, row, receipt int64, heldAt time.Time) (deleted, held bool, err error) {
	var res sql.Result
	if heldAt.IsZero() {
		res, err = tx.exec(deleteMessage, row, queueID, receipt)
	} else {
		res, err = tx.exec(deleteHeldMessage, row, queueID, receipt, heldAt.UnixMilli())
	}
	if err != nil {
		return false, false, fmt.Errorf("delete message: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return n > 0, false, err
	}
	if heldAt.IsZero() {
		return false, false, nil
	}
	err = tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM sqs_messages WHERE id = ? AND queue_id = ?)`, row, queueID).Scan(&held)
	if err != nil {
		return false, false, fmt.Errorf("delete message: %w", err)
	}
	return false, held, nil
}

// ChangeVisibility implements sqs.Tx.
func (tx *sqsTx) ChangeVisibility(queueID, row, receipt int64, now, until time.Time) (bool, error) {
	res, err := tx.exec(changeVisibility,
		until.UnixMilli(), row, queueID, receipt, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("change visibility: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Purge implements sqs.Tx.
func (tx *sqsTx) Purge(queueID int64) error {
	if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_id = ?`, queueID); err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	return nil
}

// Sweep implements sqs.Tx.
func (tx *sqsTx) Sweep(queueID int64, now time.Time) error {
	ms := now.UnixMilli()
	if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_id = ? AND expires_at <= ?`, queueID, ms); err != nil {
		return fmt.Errorf("sweep messages: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM sqs_dedup WHERE queue_id = ? AND expires_at <= ?`, queueID, ms); err != nil {
		return fmt.Errorf("sweep deduplication ids: %w", err)
	}
	return nil
}
