package postgres

import (
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/keptn"
)

// This file implements keptn.SequenceTx: the sequence engine's state.
//
// Across replicas, an execution read inside a transaction is locked (FOR
// UPDATE) until the transaction ends, so two replicas handling events of one
// execution take turns; the slot and queue of a project/stage/service are
// guarded by a transaction-scoped advisory lock taken before either is
// looked at, backed by the deferred exclusion constraint on holds_slot.

func scanExecution(row pgx.Row) (*keptn.SequenceExecution, error) {
	var body []byte
	var seq int64
	err := row.Scan(&seq, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load execution: %w", err)
	}
	return keptn.DecodeExecution(seq, body)
}

func scanExecutions(rows pgx.Rows) ([]*keptn.SequenceExecution, error) {
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
	return scanExecution(tx.QueryRow(`SELECT seq, body FROM sequence_executions WHERE id = $1 FOR UPDATE`, id))
}

// ExecutionByTask implements keptn.SequenceTx.
func (tx *keptnTx) ExecutionByTask(triggeredID string) (*keptn.SequenceExecution, error) {
	if triggeredID == "" {
		return nil, nil
	}
	return scanExecution(tx.QueryRow(`SELECT seq, body FROM sequence_executions
		WHERE current_triggered_id = $1 AND current_triggered_id <> '' FOR UPDATE`, triggeredID))
}

// ExecutionsByContext implements keptn.SequenceTx.
func (tx *keptnTx) ExecutionsByContext(keptnContext string) ([]*keptn.SequenceExecution, error) {
	rows, err := tx.Query(`SELECT seq, body FROM sequence_executions WHERE keptn_context = $1 ORDER BY seq FOR UPDATE`, keptnContext)
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
		if e.ColumnsChanged() {
			_, err = tx.Exec(`UPDATE sequence_executions SET state = $1, holds_slot = $2, current_triggered_id = $3, body = $4 WHERE seq = $5`,
				e.Status.State, slot, e.Status.CurrentTask.TriggeredID, body, e.Seq)
		} else {
			// Only the body changed (a task's .started): no indexed column
			// is written, so the update can stay on its page (HOT).
			_, err = tx.Exec(`UPDATE sequence_executions SET body = $1 WHERE seq = $2`, body, e.Seq)
		}
		if err != nil {
			return fmt.Errorf("update execution: %w", err)
		}
		e.MarkStored()
		return nil
	}
	err = tx.QueryRow(`INSERT INTO sequence_executions (id, keptn_context, project, stage, service, name, state, holds_slot, current_triggered_id, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING seq`,
		e.ID, e.Scope.KeptnContext, e.Scope.Project, e.Scope.Stage, e.Scope.Service, e.Sequence.Name,
		e.Status.State, slot, e.Status.CurrentTask.TriggeredID, body).Scan(&e.Seq)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return keptn.Errorf(keptn.CodeConflict, "sequence execution %s already exists", e.ID)
		}
		return fmt.Errorf("insert execution: %w", err)
	}
	e.MarkStored()
	return nil
}

// lockSlot takes the transaction-scoped advisory lock of a
// project/stage/service slot and its queue (class 2 of baton's lock keys).
func (tx *keptnTx) lockSlot(project, stage, service string) error {
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(2, hashtext($1 || '/' || $2 || '/' || $3))`, project, stage, service); err != nil {
		return fmt.Errorf("lock slot: %w", err)
	}
	return nil
}

// SlotTaken implements keptn.SequenceTx.
func (tx *keptnTx) SlotTaken(project, stage, service, exceptID string) (bool, error) {
	if err := tx.lockSlot(project, stage, service); err != nil {
		return false, err
	}
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM sequence_executions
		WHERE project = $1 AND stage = $2 AND service = $3 AND holds_slot = 1 AND id <> $4`,
		project, stage, service, exceptID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check slot: %w", err)
	}
	return n > 0, nil
}

// HasWaiting implements keptn.SequenceTx.
func (tx *keptnTx) HasWaiting(project, stage, service string) (bool, error) {
	if err := tx.lockSlot(project, stage, service); err != nil {
		return false, err
	}
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM sequence_executions
		WHERE project = $1 AND stage = $2 AND service = $3 AND state = 'waiting'`,
		project, stage, service).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check queue: %w", err)
	}
	return n > 0, nil
}

// NextWaiting implements keptn.SequenceTx.
func (tx *keptnTx) NextWaiting(project, stage, service string) (*keptn.SequenceExecution, error) {
	if err := tx.lockSlot(project, stage, service); err != nil {
		return nil, err
	}
	return scanExecution(tx.QueryRow(`SELECT seq, body FROM sequence_executions
		WHERE project = $1 AND stage = $2 AND service = $3 AND state = 'waiting' ORDER BY seq LIMIT 1 FOR UPDATE`,
		project, stage, service))
}

// PutSequenceContext implements keptn.SequenceTx.
func (tx *keptnTx) PutSequenceContext(c keptn.SequenceContext) error {
	_, err := tx.Exec(`INSERT INTO sequence_contexts (keptn_context, project, service, name, time_ns, state)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (keptn_context) DO UPDATE SET state = excluded.state`,
		c.KeptnContext, c.Project, c.Service, c.Name, c.Time.UnixNano(), c.State)
	if err != nil {
		return fmt.Errorf("put sequence context: %w", err)
	}
	return nil
}

// AddOpenEvent implements keptn.SequenceTx.
func (tx *keptnTx) AddOpenEvent(o keptn.OpenEvent) error {
	_, err := tx.Exec(`INSERT INTO open_events (id, type, project, stage, service, execution_id, due_ns)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET type = excluded.type, project = excluded.project,
		stage = excluded.stage, service = excluded.service, execution_id = excluded.execution_id, due_ns = excluded.due_ns`, o.ID, o.Type, o.Project, o.Stage, o.Service, o.ExecutionID, o.Due.UnixNano())
	if err != nil {
		return fmt.Errorf("add open event: %w", err)
	}
	tx.Notify(ChannelKeptn, PayloadOpen)
	return nil
}

// DeleteOpenEvent implements keptn.SequenceTx.
func (tx *keptnTx) DeleteOpenEvent(id string) error {
	if _, err := tx.Exec(`DELETE FROM open_events WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete open event: %w", err)
	}
	return nil
}

// CancelTimers implements keptn.SequenceTx.
func (tx *keptnTx) CancelTimers(kind, key string) error {
	if _, err := tx.Exec(`DELETE FROM outbox WHERE kind = $1 AND key = $2 AND state = 'pending'`, kind, key); err != nil {
		return fmt.Errorf("cancel timers: %w", err)
	}
	return nil
}

// SetPaused implements keptn.SequenceTx.
func (tx *keptnTx) SetPaused(keptnContext, stage string, paused bool) error {
	var err error
	switch {
	case paused:
		_, err = tx.Exec(`INSERT INTO sequence_pauses (keptn_context, stage) VALUES ($1, $2) ON CONFLICT DO NOTHING`, keptnContext, stage)
	case stage == "":
		_, err = tx.Exec(`DELETE FROM sequence_pauses WHERE keptn_context = $1`, keptnContext)
	default:
		_, err = tx.Exec(`DELETE FROM sequence_pauses WHERE keptn_context = $1 AND stage = $2`, keptnContext, stage)
	}
	if err != nil {
		return fmt.Errorf("set paused: %w", err)
	}
	return nil
}

// Paused implements keptn.SequenceTx.
func (tx *keptnTx) Paused(keptnContext, stage string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM sequence_pauses WHERE keptn_context = $1 AND stage IN ('', $2)`,
		keptnContext, stage).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check paused: %w", err)
	}
	return n > 0, nil
}
