package sqlite

import "fmt"

// ClaimClientEvent implements keptn.Tx. A new (source, id), the common case,
// costs one statement: the insert, which finds a posted one by its conflict.
func (tx *keptnTx) ClaimClientEvent(source, id, keptnContext string) (string, bool, error) {
	res, err := tx.Exec(`INSERT INTO client_event_ids (source, id, keptn_context) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, source, id, keptnContext)
	if err != nil {
		return "", false, fmt.Errorf("store client event id: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return "", false, err
	}
	var kc string
	if err := tx.QueryRow(`SELECT keptn_context FROM client_event_ids WHERE source = ? AND id = ?`, source, id).Scan(&kc); err != nil {
		return "", false, fmt.Errorf("read client event id: %w", err)
	}
	return kc, true, nil
}
