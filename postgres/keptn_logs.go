package postgres

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
		if _, err := tx.Exec(`INSERT INTO keptn_logs (integration_id, time_ns, body) VALUES ($1, $2, $3)`,
			e.IntegrationID, e.Time.UnixNano(), string(body)); err != nil {
			return fmt.Errorf("insert log entry: %w", err)
		}
	}
	return nil
}

// DeleteLogEntries implements keptn.LogTx.
func (tx *keptnTx) DeleteLogEntries(f keptn.LogFilter) error {
	w := logCondition(f)
	if _, err := tx.Exec(`DELETE FROM keptn_logs`+w.String(), w.args...); err != nil {
		return fmt.Errorf("delete log entries: %w", err)
	}
	return nil
}

// LogEntries implements keptn.LogStore.
func (s *KeptnStore) LogEntries(ctx context.Context, f keptn.LogFilter) ([]keptn.LogEntry, int, error) {
	w := logCondition(f)
	cond := w.String()
	var total int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM keptn_logs`+cond, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count log entries: %w", err)
	}
	q := `SELECT body FROM keptn_logs` + cond + ` ORDER BY time_ns DESC, seq DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + w.arg(f.Limit)
	}
	q += ` OFFSET ` + w.arg(f.Offset)
	rows, err := s.db.pool.Query(ctx, q, w.args...)
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
func logCondition(f keptn.LogFilter) *where {
	w := &where{}
	if f.IntegrationID != "" {
		w.add("integration_id = ?", f.IntegrationID)
	}
	if !f.FromTime.IsZero() {
		w.add("time_ns >= ?", f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		w.add("time_ns <= ?", f.BeforeTime.UnixNano())
	}
	return w
}
