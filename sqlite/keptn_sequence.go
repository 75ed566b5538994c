package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/batonhq/baton/keptn"
)

// This file implements keptn.SequenceTx: the sequence engine's state.

// loadExecution loads one execution, from the cache when the stored body
// is the one a cached execution was decoded from.
func (tx *keptnTx) loadExecution(row *sql.Row) (*keptn.SequenceExecution, error) {
	var body []byte
	var seq int64
	err := row.Scan(&seq, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load execution: %w", err)
	}
	if e := tx.execs.take(seq, body); e != nil {
		return e, nil
	}
	return keptn.DecodeExecution(seq, body)
}

func scanExecutions(rows *sql.Rows) ([]*keptn.SequenceExecution, error) {
	defer rows.Close()
	var out []*keptn.SequenceExecution
	for rows.Next() {
		var body []byte
		var seq int64
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, fmt.Errorf("load executions: %w", err)
		}
		e, err := keptn.DecodeExecution(seq, body)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Execution implements keptn.SequenceTx.
func (tx *keptnTx) Execution(id string) (*keptn.SequenceExecution, error) {
	return tx.loadExecution(tx.QueryRow(`SELECT seq, body FROM sequence_executions WHERE id = ?`, id))
}

// ExecutionByTask implements keptn.SequenceTx.
func (tx *keptnTx) ExecutionByTask(triggeredID string) (*keptn.SequenceExecution, error) {
	if triggeredID == "" {
		return nil, nil
	}
	if r, ok := tx.tasks.get(triggeredID); ok {
		if e := tx.execs.take(r.seq, r.body); e != nil {
			return e, nil
		}
		return keptn.DecodeExecution(r.seq, r.body)
	}
	return tx.loadExecution(tx.QueryRow(`SELECT seq, body FROM sequence_executions
		WHERE current_triggered_id = ? AND current_triggered_id != ''`, triggeredID))
}

// ExecutionsByContext implements keptn.SequenceTx.
func (tx *keptnTx) ExecutionsByContext(keptnContext string) ([]*keptn.SequenceExecution, error) {
	rows, err := tx.Query(`SELECT seq, body FROM sequence_executions WHERE keptn_context = ? ORDER BY seq`, keptnContext)
	if err != nil {
		return nil, fmt.Errorf("load executions: %w", err)
	}
	return scanExecutions(rows)
}

// PutExecution implements keptn.SequenceTx.
func (tx *keptnTx) PutExecution(e *keptn.SequenceExecution) error {
	body, err := keptn.EncodeExecution(e)
	if err != nil {
		return fmt.Errorf("encode execution: %w", err)
	}
	slot := 0
	if e.HoldsSlot() {
		slot = 1
	}
	if e.Seq != 0 {
		token := tx.tasks.wrote(e.Seq, offerTask(e))
		query, args := updateExecution(e, slot, body)
		if _, err = tx.Exec(query, args...); err != nil {
			return fmt.Errorf("update execution: %w", err)
		}
		e.MarkStored()
		tx.cacheExecution(e, body, token)
		return nil
	}
	// The row's seq is its rowid: Exec's LastInsertId, without the result
	// rows a RETURNING clause makes SQLite build and database/sql scan.
	res, err := tx.Exec(`INSERT INTO sequence_executions (id, keptn_context, project, stage, service, name, state, holds_slot, current_triggered_id, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Scope.KeptnContext, e.Scope.Project, e.Scope.Stage, e.Scope.Service, e.Sequence.Name,
		e.Status.State, slot, e.Status.CurrentTask.TriggeredID, body)
	if err == nil {
		e.Seq, err = res.LastInsertId()
	}
	if err != nil {
		if isUniqueViolation(err) {
			return keptn.Errorf(keptn.CodeConflict, "sequence execution %s already exists", e.ID)
		}
		return fmt.Errorf("insert execution: %w", err)
	}
	e.MarkStored()
	tx.cacheExecution(e, body, tx.tasks.wrote(e.Seq, offerTask(e)))
	return nil
}

// offerTask reports whether e's row goes to the task index once committed.
func offerTask(e *keptn.SequenceExecution) bool {
	return !e.Ended() && e.Status.CurrentTask.TriggeredID != ""
}

// updateExecution returns the UPDATE of e's row that sets its body and only
// the indexed columns that changed since it was loaded or stored: SQLite
// rewrites the entries of every index on a column an UPDATE sets, even to
// the same value, so a task handing over to the next (only the current
// .triggered id changes) leaves the slot and queue indexes' pages alone.
func updateExecution(e *keptn.SequenceExecution, slot int, body []byte) (string, []any) {
	old, cur := e.Stored, e.Columns()
	q := "UPDATE sequence_executions SET "
	args := make([]any, 0, 5)
	if old == nil || old.State != cur.State {
		q += "state = ?, "
		args = append(args, cur.State)
	}
	if old == nil || old.HoldsSlot != cur.HoldsSlot {
		q += "holds_slot = ?, "
		args = append(args, slot)
	}
	if old == nil || old.TriggeredID != cur.TriggeredID {
		q += "current_triggered_id = ?, "
		args = append(args, cur.TriggeredID)
	}
	return q + "body = ? WHERE seq = ?", append(args, body, e.Seq)
}

// cacheExecution offers a running execution's new body to the cache and,
// once committed, to the task index (the write with token).
func (tx *keptnTx) cacheExecution(e *keptn.SequenceExecution, body []byte, token uint64) {
	if e.Ended() {
		tx.execs.forget(e.Seq)
		return
	}
	tx.execs.offer(e, body)
	if offerTask(e) {
		tasks, tid, seq := tx.tasks, e.Status.CurrentTask.TriggeredID, e.Seq
		tx.AfterCommit(func() { tasks.committed(tid, seq, body, token) })
	}
}

// SlotTaken implements keptn.SequenceTx.
func (tx *keptnTx) SlotTaken(project, stage, service, exceptID string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM sequence_executions
		WHERE project = ? AND stage = ? AND service = ? AND holds_slot = 1 AND id != ?`,
		project, stage, service, exceptID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check slot: %w", err)
	}
	return n > 0, nil
}

// HasWaiting implements keptn.SequenceTx.
func (tx *keptnTx) HasWaiting(project, stage, service string) (bool, error) {
	var n int
	err := tx.QueryRow(hasWaiting, project, stage, service).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check queue: %w", err)
	}
	return n > 0, nil
}

// NextWaiting implements keptn.SequenceTx.
func (tx *keptnTx) NextWaiting(project, stage, service string) (*keptn.SequenceExecution, error) {
	return tx.loadExecution(tx.QueryRow(nextWaiting, project, stage, service))
}

// A service's queue: its waiting executions, through the partial index
// sequence_executions_waiting (migration 0102), which the literal state
// selects.
const (
	hasWaiting = `SELECT count(*) FROM sequence_executions
		WHERE project = ? AND stage = ? AND service = ? AND state = 'waiting'`
	nextWaiting = `SELECT seq, body FROM sequence_executions
		WHERE project = ? AND stage = ? AND service = ? AND state = 'waiting' ORDER BY seq LIMIT 1`
)

// PutSequenceContext implements keptn.SequenceTx.
func (tx *keptnTx) PutSequenceContext(c keptn.SequenceContext) error {
	_, err := tx.Exec(`INSERT INTO sequence_contexts (keptn_context, project, service, name, time_ns, state)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (keptn_context) DO UPDATE SET state = excluded.state`,
		c.KeptnContext, c.Project, c.Service, c.Name, c.Time.UnixNano(), c.State)
	if err != nil {
		return fmt.Errorf("put sequence context: %w", err)
	}
	return nil
}

// AddOpenEvent implements keptn.SequenceTx.
func (tx *keptnTx) AddOpenEvent(o keptn.OpenEvent) error {
	_, err := tx.Exec(`INSERT OR REPLACE INTO open_events (id, type, project, stage, service, execution_id, due_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, o.ID, o.Type, o.Project, o.Stage, o.Service, o.ExecutionID, o.Due.UnixNano())
	if err != nil {
		return fmt.Errorf("add open event: %w", err)
	}
	return nil
}

// DeleteOpenEvent implements keptn.SequenceTx.
func (tx *keptnTx) DeleteOpenEvent(id string) error {
	if _, err := tx.Exec(`DELETE FROM open_events WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete open event: %w", err)
	}
	return nil
}

// CancelTimers implements keptn.SequenceTx.
func (tx *keptnTx) CancelTimers(kind, key string) error {
	if _, err := tx.Exec(`DELETE FROM outbox WHERE kind = ? AND key = ? AND state = 'pending'`, kind, key); err != nil {
		return fmt.Errorf("cancel timers: %w", err)
	}
	return nil
}

// SetPaused implements keptn.SequenceTx.
func (tx *keptnTx) SetPaused(keptnContext, stage string, paused bool) error {
	tx.db.facts.wrote()
	var err error
	switch {
	case paused:
		_, err = tx.Exec(`INSERT OR IGNORE INTO sequence_pauses (keptn_context, stage) VALUES (?, ?)`, keptnContext, stage)
	case stage == "":
		_, err = tx.Exec(`DELETE FROM sequence_pauses WHERE keptn_context = ?`, keptnContext)
	default:
		_, err = tx.Exec(`DELETE FROM sequence_pauses WHERE keptn_context = ? AND stage = ?`, keptnContext, stage)
	}
	if err != nil {
		return fmt.Errorf("set paused: %w", err)
	}
	return nil
}

// Paused implements keptn.SequenceTx.
func (tx *keptnTx) Paused(keptnContext, stage string) (bool, error) {
	switch tx.db.facts.paused() {
	case pausesNone:
		return false, nil
	case pausesUnknown:
		var some bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM sequence_pauses)`).Scan(&some); err != nil {
			return false, fmt.Errorf("check paused: %w", err)
		}
		if !some {
			tx.db.facts.putPaused(pausesNone)
			return false, nil
		}
		tx.db.facts.putPaused(pausesSome)
	}
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM sequence_pauses WHERE keptn_context = ? AND stage IN ('', ?)`,
		keptnContext, stage).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check paused: %w", err)
	}
	return n > 0, nil
}
