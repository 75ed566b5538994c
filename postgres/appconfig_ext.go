package postgres

import "github.com/batonhq/baton/appconfig"

// AppConfigSQLTx returns the write transaction under tx, an appconfig.Tx of
// an AppConfigStore, so another domain (an SQS send, an outbox job) can
// write in the same transaction as the deployment step.
func AppConfigSQLTx(tx appconfig.Tx) (*Tx, bool) {
	t, ok := tx.(*acTx)
	if !ok {
		return nil, false
	}
	return t.tx, true
}
