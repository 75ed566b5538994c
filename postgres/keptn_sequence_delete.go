package postgres

import (
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
)

// This file holds what deleting a project or service does to its sequences
// and its pending outbox work.

// ActiveExecutions implements keptn.SequenceTx. The executions stay locked
// until the transaction ends, so no replica advances one meanwhile.
func (tx *keptnTx) ActiveExecutions(project, service string) ([]*keptn.SequenceExecution, error) {
	rows, err := tx.Query(`SELECT seq, body FROM sequence_executions
		WHERE project = $1 AND ($2 = '' OR service = $2) AND state NOT IN ('finished', 'aborted', 'timedOut')
		ORDER BY seq FOR UPDATE`, project, service)
	if err != nil {
		return nil, fmt.Errorf("load active executions: %w", err)
	}
	return scanExecutions(rows)
}

// EndJobs implements keptn.SequenceTx. A job another replica runs right
// now is no longer pending and is not ended (as on SQLite, where a running
// job is not ended either).
func (tx *keptnTx) EndJobs(kind, project, service, reason string) (int, error) {
	tag, err := tx.Exec(`UPDATE outbox SET state = 'dead', last_error = $1, updated_at = $2
		WHERE kind = $3 AND state = 'pending' AND CASE WHEN kind = $3 THEN
			convert_from(payload, 'UTF8')::jsonb #>> '{event,data,project}' = $4
			AND ($5 = '' OR convert_from(payload, 'UTF8')::jsonb #>> '{event,data,service}' = $5)
		ELSE false END`,
		reason, time.Now().UnixMilli(), kind, project, service)
	if err != nil {
		return 0, fmt.Errorf("end %s jobs: %w", kind, err)
	}
	return int(tag.RowsAffected()), nil
}

// deleteSequenceState removes a deleted project's sequence state. The
// engine's delete hook has ended the executions (and their timers) first.
func (tx *keptnTx) deleteSequenceState(project string) error {
	for _, q := range []string{
		`DELETE FROM sequence_pauses WHERE keptn_context IN (SELECT keptn_context FROM sequence_contexts WHERE project = $1)`,
		`DELETE FROM sequence_contexts WHERE project = $1`,
		`DELETE FROM sequence_executions WHERE project = $1`,
		`DELETE FROM open_events WHERE project = $1`,
	} {
		if _, err := tx.Exec(q, project); err != nil {
			return fmt.Errorf("delete sequence state: %w", err)
		}
	}
	return nil
}
