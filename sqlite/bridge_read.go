package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqs"
)

// This file holds the read-only queries of the Bridge (web UI): each page
// asks a bounded number of them, never one per row.

// LatestExecutions implements keptn.OverviewStore.
func (s *KeptnStore) LatestExecutions(ctx context.Context, project string) ([]*keptn.SequenceExecution, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT seq, body FROM sequence_executions WHERE seq IN (
		SELECT max(seq) FROM sequence_executions WHERE project = ? GROUP BY stage, service) ORDER BY seq`, project)
	if err != nil {
		return nil, fmt.Errorf("latest executions: %w", err)
	}
	return scanExecutions(rows)
}

// SlotHolders implements keptn.OverviewStore.
func (s *KeptnStore) SlotHolders(ctx context.Context, project string) ([]*keptn.SequenceExecution, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT seq, body FROM sequence_executions WHERE project = ? AND holds_slot = 1 ORDER BY seq`, project)
	if err != nil {
		return nil, fmt.Errorf("slot holders: %w", err)
	}
	return scanExecutions(rows)
}

// ResourceLevels implements keptn.OverviewStore.
func (s *KeptnStore) ResourceLevels(ctx context.Context, project, uri string) ([]keptn.LevelResource, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT stage, service, content, revision, updated_ns FROM resources
		WHERE project = ? AND uri = ? ORDER BY stage, service`, project, uri)
	if err != nil {
		return nil, fmt.Errorf("resource levels: %w", err)
	}
	defer rows.Close()
	var out []keptn.LevelResource
	for rows.Next() {
		r := keptn.LevelResource{Resource: keptn.Resource{URI: uri}}
		var ns int64
		if err := rows.Scan(&r.Stage, &r.Service, &r.Content, &r.Revision, &ns); err != nil {
			return nil, fmt.Errorf("resource levels: %w", err)
		}
		r.Updated = time.Unix(0, ns).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ByKeyPrefix implements outbox.Lookup.
func (s *OutboxStore) ByKeyPrefix(ctx context.Context, kind string, prefixes []string, limit int) ([]outbox.Record, error) {
	if len(prefixes) == 0 {
		return nil, nil
	}
	conds := make([]string, len(prefixes))
	args := []any{kind}
	for i, p := range prefixes {
		// '-' sorts just before '.', so [p-, p.) is every key "p-…".
		conds[i] = "(key >= ? AND key < ?)"
		args = append(args, p+"-", p+".")
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, kind, key, state, attempts, due_at, last_error, created_at, updated_at, `+inlineAttemptColumns+`
		FROM outbox WHERE kind = ? AND (`+strings.Join(conds, " OR ")+`) ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("outbox by key: %w", err)
	}
	defer rows.Close()
	var out []outbox.Record
	index := map[int64]int{}
	var more []any // the ids of items with attempts in outbox_attempts
	for rows.Next() {
		var r outbox.Record
		var state string
		var due, created, updated int64
		var first inlineAttempt
		if err := rows.Scan(append([]any{&r.ID, &r.Kind, &r.Key, &state, &r.Attempts, &due, &r.LastError, &created, &updated}, first.dest()...)...); err != nil {
			return nil, fmt.Errorf("outbox by key: %w", err)
		}
		r.State = outbox.State(state)
		r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
		r.History = first.append(nil)
		if first.more() {
			more = append(more, r.ID)
		}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox by key: %w", err)
	}
	return out, s.attachAttempts(ctx, out, index, more)
}

// attachAttempts appends the attempts in outbox_attempts of the items of
// ids to their history, in one query.
func (s *OutboxStore) attachAttempts(ctx context.Context, items []outbox.Record, index map[int64]int, ids []any) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT outbox_id, started_at, latency_us, status, error, excerpt
		FROM outbox_attempts WHERE outbox_id IN (`+placeholders(len(ids))+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("outbox attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a outbox.Attempt
		var id, started, lat int64
		if err := rows.Scan(&id, &started, &lat, &a.Status, &a.Error, &a.Excerpt); err != nil {
			return fmt.Errorf("outbox attempts: %w", err)
		}
		a.Started, a.Latency = time.UnixMilli(started), time.Duration(lat)*time.Microsecond
		items[index[id]].History = append(items[index[id]].History, a)
	}
	return rows.Err()
}

// AllCounts implements sqs.Browser.
func (s *SQSStore) AllCounts(ctx context.Context, account string, now time.Time) (map[int64]sqs.Counts, error) {
	ms := now.UnixMilli()
	rows, err := s.db.read.QueryContext(ctx, `SELECT m.queue_id,
			coalesce(sum(m.visible_at <= ?1), 0),
			coalesce(sum(m.visible_at > ?1 AND m.receive_count > 0), 0),
			coalesce(sum(m.visible_at > ?1 AND m.receive_count = 0), 0)
		FROM sqs_messages m JOIN sqs_queues q ON q.id = m.queue_id
		WHERE q.account = ?2 AND m.expires_at > ?1 GROUP BY m.queue_id`, ms, account)
	if err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	defer rows.Close()
	out := map[int64]sqs.Counts{}
	for rows.Next() {
		var id int64
		var c sqs.Counts
		if err := rows.Scan(&id, &c.Visible, &c.NotVisible, &c.Delayed); err != nil {
			return nil, fmt.Errorf("count messages: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// Peek implements sqs.Browser. It only reads: visibility, receive counts and
// receipts stay as they are.
func (s *SQSStore) Peek(ctx context.Context, queueID int64, now time.Time, limit int) ([]*sqs.Message, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, message_id, body, attributes, trace, group_id, dedup_id, dlq_source,
			sent_at, receive_count, first_receive_at, receipt
		FROM sqs_messages WHERE queue_id = ? AND expires_at > ? ORDER BY id LIMIT ?`, queueID, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("peek: %w", err)
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
	return out, rows.Err()
}
