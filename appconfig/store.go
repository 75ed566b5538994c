package appconfig

import (
	"context"
	"encoding/json"
	"time"
)

// Kind names a kind of stored resource document.
type Kind string

// Resource kinds. Deployments are keyed "<environment id>/<number>".
const (
	KindApplication Kind = "application"
	KindEnvironment Kind = "environment"
	KindProfile     Kind = "configurationprofile"
	KindStrategy    Kind = "deploymentstrategy"
	KindDeployment  Kind = "deployment"
)

// Page asks for one page of a listing.
type Page struct {
	After int64 // cursor from the previous page (0 = start)
	Limit int
	Desc  bool // newest first
}

// Reader reads committed state (outside a write) or the state of a write
// transaction (inside one). Methods return an *Error with CodeNotFound when
// the thing does not exist.
type Reader interface {
	// Get decodes the document kind/id into v.
	Get(ctx context.Context, kind Kind, id string, v any) error
	// List returns documents of kind under parent ("" = any) and the cursor
	// of the next page (0 when there is none).
	List(ctx context.Context, kind Kind, parent string, p Page) ([]json.RawMessage, int64, error)
	// Count counts documents of kind under parent.
	Count(ctx context.Context, kind Kind, parent string) (int, error)
	// FindByName returns the id of the document of kind under parent named name.
	FindByName(ctx context.Context, kind Kind, parent, name string) (string, error)
	// ActiveDeployments returns every deployment that is deploying or baking.
	ActiveDeployments(ctx context.Context) ([]*Deployment, error)
	// Deployment returns deployment n of environment env.
	Deployment(ctx context.Context, env string, n int) (*Deployment, error)
	// Deployments returns env's deployments, newest first.
	Deployments(ctx context.Context, env string, p Page) ([]*Deployment, int64, error)

	// Version returns hosted version n of profile, with content.
	Version(ctx context.Context, profile string, n int) (*HostedVersion, error)
	// VersionByLabel returns the newest hosted version of profile labelled label.
	VersionByLabel(ctx context.Context, profile, label string) (*HostedVersion, error)
	// Versions lists profile's hosted versions, newest first, without
	// content; those labelled label if label is not "", or, when label ends
	// in "*", those whose label starts with the rest.
	Versions(ctx context.Context, profile, label string, p Page) ([]*HostedVersion, int64, error)
	// LatestVersion returns the highest version number of profile (0 if none).
	LatestVersion(ctx context.Context, profile string) (int, error)

	// Tags returns the tags of the resource key (the resource part of its
	// ARN, such as ApplicationKey(id)); an empty map if none.
	Tags(ctx context.Context, key string) (map[string]string, error)
	// Alarm returns the alarm named name.
	Alarm(ctx context.Context, name string) (*Alarm, error)
	// Alarms lists all alarms by name.
	Alarms(ctx context.Context) ([]*Alarm, error)
}

// Tx is a write transaction.
type Tx interface {
	Reader
	// Put inserts or replaces the document kind/id under parent, named name.
	Put(kind Kind, id, parent, name string, v any) error
	// PutDeployment inserts or replaces d.
	PutDeployment(d *Deployment) error
	// Delete removes the document kind/id.
	Delete(kind Kind, id string) error
	// PutVersion stores a new hosted version.
	PutVersion(v *HostedVersion) error
	// DeleteVersion removes hosted version n of profile.
	DeleteVersion(profile string, n int) error
	// SetTags merges tags into the tags of the resource key.
	SetTags(key string, tags map[string]string) error
	// RemoveTags removes tag keys from the tags of the resource key.
	RemoveTags(key string, keys []string) error
	// PutAlarm inserts or replaces a.
	PutAlarm(a *Alarm) error
	// ScheduleStep stores a durable timer that calls the engine for the
	// deployment at due.
	ScheduleStep(t StepTimer, due time.Time) error
	// AfterCommit runs f once the transaction is durable.
	AfterCommit(f func())
}

// StepTimer is the payload of a deployment timer.
type StepTimer struct {
	Env    string `json:"env"`
	Number int    `json:"n"`
	Gen    int    `json:"gen"`
}

// Store is the storage the AppConfig domain needs.
type Store interface {
	Reader
	// Update runs fn in a write transaction and returns after it committed
	// durably (nil) or rolled back (fn's error).
	Update(ctx context.Context, fn func(Tx) error) error
}
