package keptn

import "context"

// ProjectStore holds the read side of projects, stages, services, resources
// and secrets.
type ProjectStore interface {
	// ProjectShipyard returns a project's parsed shipyard; CodeNotFound if the
	// project does not exist.
	ProjectShipyard(ctx context.Context, project string) (*Shipyard, error)
}

// ProjectTx holds the write side of projects, stages, services, resources and
// secrets inside a transaction.
type ProjectTx interface {
	// Shipyard returns the project's parsed shipyard as of this transaction;
	// CodeNotFound if the project does not exist.
	Shipyard(project string) (*Shipyard, error)
	// ServiceExists reports whether the project has the service.
	ServiceExists(project, service string) (bool, error)
}
