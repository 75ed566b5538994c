package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
)

// This file implements keptn.SequenceStore: the read side of sequences.

// SequenceContexts implements keptn.SequenceStore.
func (s *KeptnStore) SequenceContexts(ctx context.Context, f keptn.SequenceFilter) ([]keptn.SequenceContext, int, error) {
	var w where
	w.add("project = ?", f.Project)
	if f.Name != "" {
		w.add("name = ?", f.Name)
	}
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	if !f.FromTime.IsZero() {
		w.add("time_ns > ?", f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		w.add("time_ns < ?", f.BeforeTime.UnixNano())
	}
	if len(f.KeptnContext) > 0 {
		w.add("keptn_context = ANY(?)", f.KeptnContext)
	}
	if f.Stage != "" || f.Service != "" || f.Result != "" {
		p, st, sv, r := w.arg(f.Project), w.arg(f.Stage), w.arg(f.Service), w.arg(f.Result)
		w.raw(`keptn_context IN (SELECT keptn_context FROM sequence_executions WHERE project = ` + p + `
			AND (` + st + ` = '' OR stage = ` + st + `) AND (` + sv + ` = '' OR service = ` + sv + `)
			AND (` + r + ` = '' OR convert_from(body, 'UTF8')::jsonb #>> '{scope,result}' = ` + r + `))`)
	}
	cond := w.String()
	var total int
	if err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM sequence_contexts"+cond, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sequences: %w", err)
	}
	rows, err := s.db.pool.Query(ctx, `SELECT keptn_context, project, service, name, time_ns, state
		FROM sequence_contexts`+cond+` ORDER BY time_ns DESC, seq DESC LIMIT `+w.arg(f.Limit)+` OFFSET `+w.arg(f.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("query sequences: %w", err)
	}
	defer rows.Close()
	out := []keptn.SequenceContext{}
	for rows.Next() {
		var c keptn.SequenceContext
		var ns int64
		if err := rows.Scan(&c.KeptnContext, &c.Project, &c.Service, &c.Name, &ns, &c.State); err != nil {
			return nil, 0, fmt.Errorf("query sequences: %w", err)
		}
		c.Time = time.Unix(0, ns).UTC()
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// ContextExecutions implements keptn.SequenceStore.
func (s *KeptnStore) ContextExecutions(ctx context.Context, keptnContexts []string) ([]*keptn.SequenceExecution, error) {
	if len(keptnContexts) == 0 {
		return nil, nil
	}
	rows, err := s.db.pool.Query(ctx, `SELECT seq, body FROM sequence_executions
		WHERE keptn_context = ANY($1) ORDER BY seq`, keptnContexts)
	if err != nil {
		return nil, fmt.Errorf("query executions: %w", err)
	}
	return scanExecutions(rows)
}

// Executions implements keptn.SequenceStore.
func (s *KeptnStore) Executions(ctx context.Context, f keptn.ExecutionFilter) ([]*keptn.SequenceExecution, int, error) {
	var w where
	for _, c := range []struct{ col, val string }{
		{"project", f.Project}, {"stage", f.Stage}, {"service", f.Service}, {"name", f.Name},
		{"state", f.State}, {"keptn_context", f.KeptnContext},
	} {
		if c.val != "" {
			w.add(c.col+" = ?", c.val)
		}
	}
	cond := w.String()
	var total int
	if err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM sequence_executions"+cond, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count executions: %w", err)
	}
	rows, err := s.db.pool.Query(ctx, "SELECT seq, body FROM sequence_executions"+cond+" ORDER BY seq LIMIT "+w.arg(f.Limit)+
		" OFFSET "+w.arg(f.Offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("query executions: %w", err)
	}
	out, err := scanExecutions(rows)
	return out, total, err
}

// OpenEvents implements keptn.SequenceStore.
func (s *KeptnStore) OpenEvents(ctx context.Context, f keptn.OpenEventFilter) ([]json.RawMessage, int, error) {
	var w where
	w.add("o.type = ?", f.Type)
	w.add("o.due_ns <= ?", f.Now.UnixNano())
	for _, c := range []struct{ col, val string }{
		{"o.project", f.Project}, {"o.stage", f.Stage}, {"o.service", f.Service}, {"o.id", f.EventID},
	} {
		if c.val != "" {
			w.add(c.col+" = ?", c.val)
		}
	}
	cond := w.String()
	args := w.args
	out, err := scanBodies(s.db.pool.Query(ctx, `SELECT e.body FROM open_events o JOIN events e ON e.id = o.id`+cond+
		` ORDER BY o.due_ns, e.seq LIMIT `+w.arg(f.Limit)+` OFFSET `+w.arg(f.Offset), w.args...))
	if err != nil {
		return nil, 0, fmt.Errorf("query open events: %w", err)
	}
	if total, ok := keptn.PageTotal(f.Offset, f.Limit, len(out)); ok {
		return out, total, nil // a short page: no count needed
	}
	var total int
	if err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM open_events o"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count open events: %w", err)
	}
	return out, total, nil
}

// ProjectKnown implements keptn.SequenceStore.
func (s *KeptnStore) ProjectKnown(ctx context.Context, project string) (bool, error) {
	var n int
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM projects WHERE name = $1`, project).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check project: %w", err)
	}
	return n > 0, nil
}
