package server

import (
	"fmt"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/oneplane"
)

// buildOnePlane wires the bridge between the halves: the plane reacts to
// Keptn events (task deployments, aborts), starts task deployments from
// the outbox and validates appconfig.yaml at upload. buildAppConfig adds
// its deployment hooks.
func (s *Server) buildOnePlane(keptnStore keptn.Store, resources *keptn.Resources) {
	s.plane = oneplane.New(s.Keptn, keptnStore, joiner{s.store}, s.clock, s.log)
	s.Keptn.AddHook(s.plane)
	s.outbox.Handle(oneplane.StartKind, s.plane.HandleStart, nil)
	resources.Validate(oneplane.ConfigURI, oneplane.ValidateResource)
}

// joiner implements oneplane.Joiner on the store: both views share one
// write transaction.
type joiner struct{ st *storage }

func (j joiner) Keptn(tx appconfig.Tx) (keptn.Tx, error) {
	t, ok := j.st.keptnOf(tx)
	if !ok {
		return nil, fmt.Errorf("one plane: the AppConfig transaction is not the store's")
	}
	return t, nil
}

func (j joiner) AppConfig(tx keptn.Tx) (appconfig.Tx, error) {
	t, ok := j.st.appConfigOf(tx)
	if !ok {
		return nil, fmt.Errorf("one plane: the Keptn transaction is not the store's")
	}
	return t, nil
}
