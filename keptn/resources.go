package keptn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/batonhq/baton/clock"
)

// ResourceKey addresses a resource: Stage and Service are empty above their level.
type ResourceKey struct {
	Project string
	Stage   string
	Service string
	URI     string
}

// Resource is a stored file of a project, stage or service.
type Resource struct {
	URI      string
	Content  []byte
	Revision string
	Updated  time.Time
}

// MaxResourceURI is the longest resource URI accepted.
const MaxResourceURI = 1024

// NewRevision returns a new revision id (40 hex digits, like a git commit id).
func NewRevision() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ValidateResourceURI rejects empty, absolute and escaping URIs.
func ValidateResourceURI(uri string) error {
	switch {
	case uri == "":
		return Errorf(CodeBadRequest, "resourceURI must not be empty")
	case len(uri) > MaxResourceURI:
		return Errorf(CodeBadRequest, "resourceURI is longer than %d characters", MaxResourceURI)
	case strings.HasPrefix(uri, "/"), strings.Contains(uri, "~"), strings.Contains(uri, "\\"):
		return Errorf(CodeBadRequest, "resourceURI %q is invalid: use a relative path without ~ or \\", uri)
	}
	for _, seg := range strings.Split(uri, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return Errorf(CodeBadRequest, "resourceURI %q is invalid: empty, . and .. path segments are not allowed", uri)
		}
	}
	return nil
}

// Resources reads and writes resources.
type Resources struct {
	store Store
	clock clock.Clock
	// validators check known files (by URI) before they are stored.
	validators map[string]func([]byte) error
	// warners find what in a known file is stored but will fail later.
	warners map[string]func([]byte) []string
}

// Warn registers a check for resources stored under uri whose findings do
// not refuse the write but are returned with it (PutWarn).
func (r *Resources) Warn(uri string, check func([]byte) []string) {
	if r.warners == nil {
		r.warners = map[string]func([]byte) []string{}
	}
	r.warners[uri] = check
}

// PutWarn is Put that also returns the warnings of the checks registered
// with Warn, each prefixed with the resource's URI.
func (r *Resources) PutWarn(ctx context.Context, key ResourceKey, res []Resource) (string, []string, error) {
	rev, err := r.Put(ctx, key, res)
	if err != nil {
		return "", nil, err
	}
	var warnings []string
	for _, x := range res {
		if check := r.warners[x.URI]; check != nil {
			for _, w := range check(x.Content) {
				warnings = append(warnings, x.URI+": "+w)
			}
		}
	}
	return rev, warnings, nil
}

// Validate registers a check for resources stored under uri (at any level);
// a failing check refuses the write with CodeBadRequest.
func (r *Resources) Validate(uri string, check func([]byte) error) {
	if r.validators == nil {
		r.validators = map[string]func([]byte) error{}
	}
	r.validators[uri] = check
}

// NewResources returns the resource service.
func NewResources(store Store, clk clock.Clock) *Resources {
	return &Resources{store: store, clock: clk}
}

// checkLevel returns CodeNotFound when the project, stage or service of key does not exist.
func checkLevel(tx Tx, key ResourceKey) (*Shipyard, error) {
	s, err := tx.Shipyard(key.Project)
	if err != nil {
		return nil, err
	}
	if key.Stage != "" {
		ok, err := tx.StageExists(key.Project, key.Stage)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, Errorf(CodeNotFound, "stage %s not found", key.Stage)
		}
	}
	if key.Service != "" {
		ok, err := tx.ServiceExists(key.Project, key.Service)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, Errorf(CodeNotFound, "service %s not found", key.Service)
		}
	}
	return s, nil
}

// Put writes resources at the level of key (key.URI ignored) under one new
// revision, which it returns. Writing the project's shipyard.yaml validates it
// and updates the project's stages.
func (r *Resources) Put(ctx context.Context, key ResourceKey, res []Resource) (string, error) {
	if len(res) == 0 {
		return "", Errorf(CodeBadRequest, "resources must not be empty")
	}
	seen := map[string]bool{}
	var shipyard *Resource
	for i := range res {
		if err := ValidateResourceURI(res[i].URI); err != nil {
			return "", err
		}
		if seen[res[i].URI] {
			return "", Errorf(CodeBadRequest, "resource %q is listed twice", res[i].URI)
		}
		seen[res[i].URI] = true
		if check := r.validators[res[i].URI]; check != nil {
			if err := check(res[i].Content); err != nil {
				return "", Errorf(CodeBadRequest, "%s: %v", res[i].URI, err)
			}
		}
		if key.Stage == "" && res[i].URI == "shipyard.yaml" {
			shipyard = &res[i]
		}
	}
	var np *NewProject
	if shipyard != nil {
		s, err := ParseShipyard(shipyard.Content)
		if err != nil {
			return "", err
		}
		np = &NewProject{Name: key.Project, Shipyard: string(shipyard.Content), ShipyardVersion: s.APIVersion, Stages: stagesOf(s)}
	}
	rev := NewRevision()
	err := r.store.Update(ctx, func(tx Tx) error {
		if _, err := checkLevel(tx, key); err != nil {
			return err
		}
		if np != nil {
			if err := tx.UpdateProject(np); err != nil {
				return err
			}
		}
		return tx.PutResources(key, res, rev, r.clock.Now())
	})
	return rev, err
}

// Delete removes the resource key under a new revision, which it returns.
func (r *Resources) Delete(ctx context.Context, key ResourceKey) (string, error) {
	if err := ValidateResourceURI(key.URI); err != nil {
		return "", err
	}
	if key.Stage == "" && key.URI == "shipyard.yaml" {
		return "", Errorf(CodeBadRequest, "the project's shipyard.yaml cannot be deleted; update it instead")
	}
	rev := NewRevision()
	err := r.store.Update(ctx, func(tx Tx) error {
		if _, err := checkLevel(tx, key); err != nil {
			return err
		}
		return tx.DeleteResource(key, rev, r.clock.Now())
	})
	return rev, err
}
