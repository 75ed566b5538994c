package sqlite

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
)

// This file holds what deleting a project or service does to its sequences
// and its pending outbox work.

// ActiveExecutions implements keptn.SequenceTx.
func (tx *keptnTx) ActiveExecutions(project, service string) ([]*keptn.SequenceExecution, error) {
	rows, err := tx.Query(`SELECT seq, body FROM sequence_executions
		WHERE project = ? AND (? = '' OR service = ?) AND state NOT IN ('finished', 'aborted', 'timedOut') ORDER BY seq`,
		project, service, service)
	if err != nil {
		return nil, fmt.Errorf("load active executions: %w", err)
	}
	return scanExecutions(rows)
}

// EndJobs implements keptn.SequenceTx.
func (tx *keptnTx) EndJobs(kind, project, service, reason string) (int, error) {
	res, err := tx.Exec(`UPDATE outbox SET state = 'dead', last_error = ?, updated_at = ?
		WHERE kind = ? AND state = 'pending'
		AND json_extract(CAST(payload AS TEXT), '$.event.data.project') = ?
		AND (? = '' OR json_extract(CAST(payload AS TEXT), '$.event.data.service') = ?)`,
		reason, time.Now().UnixMilli(), kind, project, service, service)
	if err != nil {
		return 0, fmt.Errorf("end %s jobs: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// deleteSequenceState removes a deleted project's sequence state. The
// engine's delete hook has ended the executions (and their timers) first.
func (tx *keptnTx) deleteSequenceState(project string) error {
	tx.tasks.forgetAll()
	tx.db.facts.wrote()
	for _, q := range []string{
		`DELETE FROM sequence_pauses WHERE keptn_context IN (SELECT keptn_context FROM sequence_contexts WHERE project = ?)`,
		`DELETE FROM sequence_contexts WHERE project = ?`,
		`DELETE FROM sequence_executions WHERE project = ?`,
		`DELETE FROM open_events WHERE project = ?`,
	} {
		if _, err := tx.Exec(q, project); err != nil {
			return fmt.Errorf("delete sequence state: %w", err)
		}
	}
	return nil
}
