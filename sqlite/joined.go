package sqlite

import (
	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
)

// KeptnTx returns tx as a keptn.Tx of s, so a write of another domain (an
// AppConfig deployment step) can append Keptn events in its transaction.
func (s *KeptnStore) KeptnTx(tx *Tx) keptn.Tx { return s.keptnTx(tx) }

// KeptnSQLTx returns the write transaction under tx, a keptn.Tx of a
// KeptnStore.
func KeptnSQLTx(tx keptn.Tx) (*Tx, bool) {
	t, ok := tx.(*keptnTx)
	if !ok {
		return nil, false
	}
	return t.Tx, true
}

// AppConfigTx returns tx as an appconfig.Tx of s, so a Keptn event hook can
// start or stop a deployment in the event's transaction.
func (s *AppConfigStore) AppConfigTx(tx *Tx) appconfig.Tx {
	return &acTx{acReader: acReader{q: tx}, tx: tx}
}
