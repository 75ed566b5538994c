package server

import (
	"fmt"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/oneplane"
	"github.com/batonhq/baton/sqlite"
)

// buildOnePlane wires the bridge between the halves: the plane reacts to
// Keptn events (task deployments, aborts), starts task deployments from
// the outbox and validates appconfig.yaml at upload. buildAppConfig adds
// its deployment hooks.
func (s *Server) buildOnePlane(keptnStore *sqlite.KeptnStore, resources *keptn.Resources) {
	j := joiner{keptn: keptnStore, ac: sqlite.NewAppConfigStore(s.db)}
	s.plane = oneplane.New(s.Keptn, keptnStore, j, s.clock, s.log)
	s.Keptn.AddHook(s.plane)
	s.outbox.Handle(oneplane.StartKind, s.plane.HandleStart, nil)
	resources.Validate(oneplane.ConfigURI, oneplane.ValidateResource)
}

// joiner implements oneplane.Joiner on SQLite: both views share the writer's
// transaction.
type joiner struct {
	keptn *sqlite.KeptnStore
	ac    *sqlite.AppConfigStore
}

func (j joiner) Keptn(tx appconfig.Tx) (keptn.Tx, error) {
	t, ok := sqlite.AppConfigSQLTx(tx)
	if !ok {
		return nil, fmt.Errorf("one plane: the AppConfig transaction is not SQLite's")
	}
	return j.keptn.KeptnTx(t), nil
}

func (j joiner) AppConfig(tx keptn.Tx) (appconfig.Tx, error) {
	t, ok := sqlite.KeptnSQLTx(tx)
	if !ok {
		return nil, fmt.Errorf("one plane: the Keptn transaction is not SQLite's")
	}
	return j.ac.AppConfigTx(t), nil
}
