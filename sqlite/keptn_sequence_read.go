package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
)

// This file implements keptn.SequenceStore: the read side of sequences.

// SequenceContexts implements keptn.SequenceStore.
func (s *KeptnStore) SequenceContexts(ctx context.Context, f keptn.SequenceFilter) ([]keptn.SequenceContext, int, error) {
	where := []string{"project = ?"}
	args := []any{f.Project}
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if !f.FromTime.IsZero() {
		add("time_ns > ?", f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		add("time_ns < ?", f.BeforeTime.UnixNano())
	}
	if len(f.KeptnContext) > 0 {
		add("keptn_context IN ("+placeholders(len(f.KeptnContext))+")", anySlice(f.KeptnContext)...)
	}
	if f.Stage != "" || f.Service != "" || f.Result != "" {
		add(`keptn_context IN (SELECT keptn_context FROM sequence_executions WHERE project = ?
			AND (? = '' OR stage = ?) AND (? = '' OR service = ?)
			AND (? = '' OR json_extract(CAST(body AS TEXT), '$.scope.result') = ?))`,
			f.Project, f.Stage, f.Stage, f.Service, f.Service, f.Result, f.Result)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.read.QueryRowContext(ctx, "SELECT count(*) FROM sequence_contexts"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sequences: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT keptn_context, project, service, name, time_ns, state
		FROM sequence_contexts`+cond+` ORDER BY time_ns DESC, seq DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
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
	rows, err := s.db.read.QueryContext(ctx, `SELECT seq, body FROM sequence_executions
		WHERE keptn_context IN (`+placeholders(len(keptnContexts))+`) ORDER BY seq`, anySlice(keptnContexts)...)
	if err != nil {
		return nil, fmt.Errorf("query executions: %w", err)
	}
	return scanExecutions(rows)
}

// Executions implements keptn.SequenceStore.
func (s *KeptnStore) Executions(ctx context.Context, f keptn.ExecutionFilter) ([]*keptn.SequenceExecution, int, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{
		{"project", f.Project}, {"stage", f.Stage}, {"service", f.Service}, {"name", f.Name},
		{"state", f.State}, {"keptn_context", f.KeptnContext},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, "SELECT count(*) FROM sequence_executions"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count executions: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, "SELECT seq, body FROM sequence_executions"+cond+" ORDER BY seq LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("query executions: %w", err)
	}
	out, err := scanExecutions(rows)
	return out, total, err
}

// OpenEvents implements keptn.SequenceStore.
func (s *KeptnStore) OpenEvents(ctx context.Context, f keptn.OpenEventFilter) ([]json.RawMessage, int, error) {
	where := []string{"o.type = ?", "o.due_ns <= ?"}
	args := []any{f.Type, f.Now.UnixNano()}
	for _, c := range []struct{ col, val string }{
		{"o.project", f.Project}, {"o.stage", f.Stage}, {"o.service", f.Service}, {"o.id", f.EventID},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	rows, err := s.db.readQuery(ctx, `SELECT e.body FROM open_events o JOIN events e ON e.id = o.id`+cond+
		` ORDER BY o.due_ns, e.seq LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("query open events: %w", err)
	}
	out, err := scanBodies(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("query open events: %w", err)
	}
	if total, ok := keptn.PageTotal(f.Offset, f.Limit, len(out)); ok {
		return out, total, nil // a short page: no count needed
	}
	var total int
	if err := s.db.readQueryRow(ctx, "SELECT count(*) FROM open_events o"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count open events: %w", err)
	}
	return out, total, nil
}

// ProjectKnown implements keptn.SequenceStore.
func (s *KeptnStore) ProjectKnown(ctx context.Context, project string) (bool, error) {
	var n int
	err := s.db.readQueryRow(ctx, `SELECT count(*) FROM projects WHERE name = ?`, project).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check project: %w", err)
	}
	return n > 0, nil
}
