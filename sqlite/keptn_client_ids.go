package sqlite

import (
	"database/sql/driver"
	"fmt"

	sqlite3 "modernc.org/sqlite"

	"github.com/batonhq/baton/keptn"
)

// Migration 0015 computes the keys of the rows it moves with this function.
func init() {
	sqlite3.MustRegisterDeterministicScalarFunction("baton_client_event_key", 2, func(_ *sqlite3.FunctionContext, args []driver.Value) (driver.Value, error) {
		source, ok1 := args[0].(string)
		id, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("baton_client_event_key: want two strings, got %T and %T", args[0], args[1])
		}
		return keptn.ClientEventKey(source, id), nil
	})
}

// ClaimClientEvent implements keptn.Tx. A new (source, id), the common case,
// costs one statement: the insert, which finds a posted one by its conflict.
func (tx *keptnTx) ClaimClientEvent(source, id, keptnContext string) (string, bool, error) {
	key := keptn.ClientEventKey(source, id)
	res, err := tx.Exec(`INSERT INTO client_event_keys (key, keptn_context) VALUES (?, ?) ON CONFLICT DO NOTHING`, key, keptnContext)
	if err != nil {
		return "", false, fmt.Errorf("store client event id: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return "", false, err
	}
	var kc string
	if err := tx.QueryRow(`SELECT keptn_context FROM client_event_keys WHERE key = ?`, key).Scan(&kc); err != nil {
		return "", false, fmt.Errorf("read client event id: %w", err)
	}
	return kc, true, nil
}
