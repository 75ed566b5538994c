package keptn

import (
	"context"
	"time"
)

// Project is a stored project with its stages and services, as the API shows
// it (Keptn's ExpandedProject).
type Project struct {
	Name            string
	Shipyard        string // raw YAML
	ShipyardVersion string
	Created         time.Time
	Git             GitCredentials // public fields only; secrets are never loaded here
	LastEvent       EventRef
	Stages          []ProjectStage
}

// ProjectStage is a stage of a project with its services.
type ProjectStage struct {
	Name      string
	Parents   []string
	LastEvent EventRef
	Services  []ServiceState
}

// ServiceState is a service as seen in one stage.
type ServiceState struct {
	Name           string
	Created        time.Time
	DeployedImage  string
	LastEventTypes map[string]EventRef
}

// EventRef points at an event.
type EventRef struct {
	EventID      string
	KeptnContext string
	Time         time.Time
}

// LevelResource is a resource with the level it was found at.
type LevelResource struct {
	Stage, Service string
	Resource
}

// NewProject is what CreateProject stores.
type NewProject struct {
	Name            string
	Shipyard        string
	ShipyardVersion string
	Stages          []ProjectStage // names and parents
	Created         time.Time
	GitPublic       []byte // JSON of the public credential fields
	GitSealed       []byte // sealed JSON of the full credentials; nil when none
	GitRemoteURL    string
	GitUser         string
}

// ProjectStore holds the read side of projects, stages, services, resources
// and secrets.
type ProjectStore interface {
	// ProjectShipyard returns a project's parsed shipyard; CodeNotFound if the
	// project does not exist.
	ProjectShipyard(ctx context.Context, project string) (*Shipyard, error)
	// Project returns a project with stages and services; CodeNotFound.
	Project(ctx context.Context, name string) (*Project, error)
	// Projects returns a page of projects by name and the total count.
	Projects(ctx context.Context, offset, limit int) ([]*Project, int, error)
	// Resources returns the resources at a level (stage/service "" above it),
	// by URI, with the total count. CodeNotFound if the level does not exist.
	Resources(ctx context.Context, key ResourceKey, offset, limit int) ([]Resource, int, error)
	// Resource returns one resource, at revision if not empty; CodeNotFound.
	Resource(ctx context.Context, key ResourceKey, revision string) (*Resource, error)
	// Secrets lists secrets (optionally filtered by name and scope) without values.
	Secrets(ctx context.Context, name, scope string) ([]SecretMeta, error)
	// SecretSealed returns the sealed values of a secret; CodeNotFound.
	SecretSealed(ctx context.Context, scope, name string) ([]byte, error)
}

// ProjectTx holds the write side of projects, stages, services, resources and
// secrets inside a transaction.
type ProjectTx interface {
	// Shipyard returns the project's parsed shipyard as of this transaction;
	// CodeNotFound if the project does not exist.
	Shipyard(project string) (*Shipyard, error)
	// ServiceExists reports whether the project has the service.
	ServiceExists(project, service string) (bool, error)
	// CreateProject stores a new project and its stages; CodeConflict if it exists.
	CreateProject(p *NewProject) error
	// UpdateProject replaces shipyard and stages (when p.Shipyard != "") and the
	// git credentials (when p.GitPublic != nil); CodeNotFound.
	UpdateProject(p *NewProject) error
	// DeleteProject removes a project with its stages, services, resources
	// and sequence state (executions, their summaries, open events, pauses);
	// events stay as history. CodeNotFound.
	DeleteProject(name string) error
	// CreateService adds a service; CodeNotFound for the project, CodeConflict if it exists.
	CreateService(project, service string, created time.Time) error
	// DeleteService removes a service and its resources; CodeNotFound.
	DeleteService(project, service string) error
	// StageExists reports whether the project has the stage.
	StageExists(project, stage string) (bool, error)
	// PutResources writes resources at one level under a new revision.
	PutResources(key ResourceKey, res []Resource, revision string, now time.Time) error
	// LevelResources returns the resource uri at service, stage and project
	// level (in that order, only those that exist) for the given scope.
	LevelResources(project, stage, service, uri string) ([]LevelResource, error)
	// DeleteResource removes a resource under a new revision; CodeNotFound.
	DeleteResource(key ResourceKey, revision string, now time.Time) error
	// CreateSecret stores a secret; CodeConflict if it exists.
	CreateSecret(s SecretMeta, sealed []byte, now time.Time) error
	// UpdateSecret replaces a secret's values; CodeNotFound.
	UpdateSecret(s SecretMeta, sealed []byte, now time.Time) error
	// DeleteSecret removes a secret; CodeNotFound.
	DeleteSecret(scope, name string) error
}
