package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/batonhq/baton/keptn"
)

// InsertLogEntries implements keptn.LogTx.
func (tx *keptnTx) InsertLogEntries(entries []keptn.LogEntry) error {
	for _, e := range entries {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO keptn_logs (integration_id, time_ns, body) VALUES (?, ?, ?)`,
			e.IntegrationID, e.Time.UnixNano(), string(body)); err != nil {
			return fmt.Errorf("insert log entry: %w", err)
		}
	}
	return nil
}

// DeleteLogEntries implements keptn.LogTx.
func (tx *keptnTx) DeleteLogEntries(f keptn.LogFilter) error {
	cond, args := logCondition(f)
	if _, err := tx.Exec(`DELETE FROM keptn_logs`+cond, args...); err != nil {
		return fmt.Errorf("delete log entries: %w", err)
	}
	return nil
}

// LogEntries implements keptn.LogStore.
func (s *KeptnStore) LogEntries(ctx context.Context, f keptn.LogFilter) ([]keptn.LogEntry, int, error) {
	cond, args := logCondition(f)
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM keptn_logs`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count log entries: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT body FROM keptn_logs`+cond+` ORDER BY time_ns DESC, seq DESC LIMIT ? OFFSET ?`,
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("log entries: %w", err)
	}
	defer rows.Close()
	out := []keptn.LogEntry{}
	for rows.Next() {
		var body string
		var e keptn.LogEntry
		if err := rows.Scan(&body); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// logCondition is the WHERE clause of f (time bounds inclusive).
func logCondition(f keptn.LogFilter) (string, []any) {
	cond, args := " WHERE 1 = 1", []any{}
	if f.IntegrationID != "" {
		cond, args = cond+" AND integration_id = ?", append(args, f.IntegrationID)
	}
	if !f.FromTime.IsZero() {
		cond, args = cond+" AND time_ns >= ?", append(args, f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		cond, args = cond+" AND time_ns <= ?", append(args, f.BeforeTime.UnixNano())
	}
	return cond, args
}
