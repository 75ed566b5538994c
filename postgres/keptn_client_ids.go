package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/keptn"
)

// ClaimClientEvent implements keptn.Tx. It first takes a transaction-scoped
// advisory lock on (source, id) (class 3), so the same event posted to two
// replicas at once is stored by one and found by the other.
func (tx *keptnTx) ClaimClientEvent(source, id, keptnContext string) (string, bool, error) {
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(3, hashtext($1 || chr(1) || $2))`, source, id); err != nil {
		return "", false, fmt.Errorf("lock client event id: %w", err)
	}
	key := keptn.ClientEventKey(source, id)
	var kc string
	err := tx.QueryRow(`SELECT keptn_context FROM client_event_keys WHERE key = $1`, key).Scan(&kc)
	if err == nil {
		return kc, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", false, fmt.Errorf("read client event id: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO client_event_keys (key, keptn_context) VALUES ($1, $2)`, key, keptnContext); err != nil {
		return "", false, fmt.Errorf("store client event id: %w", err)
	}
	return "", false, nil
}
