package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
)

// ClientEvent implements keptn.Tx.
func (tx *keptnTx) ClientEvent(source, id string) (string, bool, error) {
	var kc string
	err := tx.QueryRow(`SELECT keptn_context FROM client_event_ids WHERE source = ? AND id = ?`, source, id).Scan(&kc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read client event id: %w", err)
	}
	return kc, true, nil
}

// RememberClientEvent implements keptn.Tx.
func (tx *keptnTx) RememberClientEvent(source, id, keptnContext string) error {
	if _, err := tx.Exec(`INSERT INTO client_event_ids (source, id, keptn_context) VALUES (?, ?, ?)`, source, id, keptnContext); err != nil {
		return fmt.Errorf("store client event id: %w", err)
	}
	return nil
}
