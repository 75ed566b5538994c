package keptn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/batonhq/baton/clock"
)

// Sealer seals secrets for storage and opens them again.
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// GitCredentials are a project's upstream credentials, as Keptn's API takes
// them. No upstream is required; when given they are stored sealed and only
// the public fields are ever returned.
type GitCredentials struct {
	RemoteURL string               `json:"remoteURL,omitempty"`
	User      string               `json:"user,omitempty"`
	HTTPS     *HTTPSGitCredentials `json:"https,omitempty"`
	SSH       *SSHGitCredentials   `json:"ssh,omitempty"`
}

// HTTPSGitCredentials authenticate an https remote.
type HTTPSGitCredentials struct {
	Token           string               `json:"token,omitempty"`
	Certificate     string               `json:"certificate,omitempty"`
	InsecureSkipTLS bool                 `json:"insecureSkipTLS"`
	Proxy           *ProxyGitCredentials `json:"proxy,omitempty"`
}

// ProxyGitCredentials configure a proxy for an https remote.
type ProxyGitCredentials struct {
	URL      string `json:"url,omitempty"`
	Scheme   string `json:"scheme,omitempty"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
}

// SSHGitCredentials authenticate an ssh remote.
type SSHGitCredentials struct {
	PrivateKey     string `json:"privateKey,omitempty"`
	PrivateKeyPass string `json:"privateKeyPass,omitempty"`
}

// Public returns the credentials without secret fields.
func (g *GitCredentials) Public() GitCredentials {
	out := GitCredentials{RemoteURL: g.RemoteURL, User: g.User}
	if g.HTTPS != nil {
		out.HTTPS = &HTTPSGitCredentials{InsecureSkipTLS: g.HTTPS.InsecureSkipTLS}
		if p := g.HTTPS.Proxy; p != nil {
			out.HTTPS.Proxy = &ProxyGitCredentials{URL: p.URL, Scheme: p.Scheme, User: p.User}
		}
	}
	return out
}

func (g *GitCredentials) validate() error {
	if g.HTTPS != nil && g.SSH != nil {
		return Errorf(CodeBadRequest, "gitCredentials: https and ssh are mutually exclusive")
	}
	if g.RemoteURL == "" {
		if g.HTTPS != nil || g.SSH != nil || g.User != "" {
			return Errorf(CodeBadRequest, "gitCredentials: remoteURL is required when credentials are given")
		}
		return nil
	}
	u, err := url.Parse(g.RemoteURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh") {
		return Errorf(CodeBadRequest, "gitCredentials: remoteURL must be an http(s):// or ssh:// URL")
	}
	if g.SSH != nil && u.Scheme != "ssh" {
		return Errorf(CodeBadRequest, "gitCredentials: ssh credentials need an ssh:// remoteURL")
	}
	return nil
}

// Projects manages projects and services.
type Projects struct {
	store  Store
	events *Events
	clock  clock.Clock
	sealer Sealer
	hooks  []DeleteHook
}

// NewProjects returns the project service.
func NewProjects(store Store, events *Events, clk clock.Clock, sealer Sealer) *Projects {
	return &Projects{store: store, events: events, clock: clk, sealer: sealer}
}

// ProjectInput is the body of POST and PUT /project.
type ProjectInput struct {
	Name           string          `json:"name"`
	Shipyard       string          `json:"shipyard"` // base64
	GitCredentials *GitCredentials `json:"gitCredentials,omitempty"`
}

// decodeShipyard returns the raw YAML and the parsed shipyard of a base64 shipyard.
func decodeShipyard(b64 string) (string, *Shipyard, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", nil, Errorf(CodeBadRequest, "shipyard must be base64-encoded YAML")
	}
	s, err := ParseShipyard(raw)
	if err != nil {
		return "", nil, err
	}
	return string(raw), s, nil
}

func (p *Projects) newProject(in *ProjectInput, needShipyard bool) (*NewProject, error) {
	if err := ValidateName("project", in.Name, MaxProjectName); err != nil {
		return nil, err
	}
	np := &NewProject{Name: in.Name, Created: p.clock.Now()}
	if in.Shipyard != "" || needShipyard {
		if in.Shipyard == "" {
			return nil, Errorf(CodeBadRequest, "shipyard is required")
		}
		raw, s, err := decodeShipyard(in.Shipyard)
		if err != nil {
			return nil, err
		}
		np.Shipyard, np.ShipyardVersion, np.Stages = raw, s.APIVersion, stagesOf(s)
	}
	if g := in.GitCredentials; g != nil {
		if err := g.validate(); err != nil {
			return nil, err
		}
		pub, _ := json.Marshal(g.Public())
		full, _ := json.Marshal(g)
		np.GitPublic, np.GitSealed, np.GitRemoteURL, np.GitUser = pub, p.sealer.Seal(full), g.RemoteURL, g.User
	}
	return np, nil
}

func stagesOf(s *Shipyard) []ProjectStage {
	parents := s.ParentStages()
	out := make([]ProjectStage, len(s.Spec.Stages))
	for i, st := range s.Spec.Stages {
		out[i] = ProjectStage{Name: st.Name, Parents: parents[st.Name]}
	}
	return out
}

// Create creates a project from Keptn's create-project body and stores its
// shipyard as the project resource shipyard.yaml.
func (p *Projects) Create(ctx context.Context, in *ProjectInput) error {
	np, err := p.newProject(in, true)
	if err != nil {
		return err
	}
	return p.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateProject(np); err != nil {
			return err
		}
		res := []Resource{{URI: "shipyard.yaml", Content: []byte(np.Shipyard)}}
		if err := tx.PutResources(ResourceKey{Project: np.Name}, res, NewRevision(), np.Created); err != nil {
			return err
		}
		return p.lifecycle(ctx, tx, "project.create", EventData{Project: np.Name})
	})
}

// Update replaces a project's shipyard and/or git credentials.
func (p *Projects) Update(ctx context.Context, in *ProjectInput) error {
	np, err := p.newProject(in, false)
	if err != nil {
		return err
	}
	return p.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateProject(np); err != nil {
			return err
		}
		if np.Shipyard == "" {
			return nil
		}
		res := []Resource{{URI: "shipyard.yaml", Content: []byte(np.Shipyard)}}
		return tx.PutResources(ResourceKey{Project: np.Name}, res, NewRevision(), np.Created)
	})
}

// Delete deletes a project. In the same transaction the delete hooks end
// what runs for it, so a project re-created with the name starts clean.
func (p *Projects) Delete(ctx context.Context, name string) error {
	return p.store.Update(ctx, func(tx Tx) error {
		if err := p.runDeleteHooks(ctx, tx, name, ""); err != nil {
			return err
		}
		if err := tx.DeleteProject(name); err != nil {
			return err
		}
		return p.lifecycle(ctx, tx, "project.delete", EventData{Project: name})
	})
}

// CreateService adds a service to a project (in every stage).
func (p *Projects) CreateService(ctx context.Context, project, service string) error {
	if err := ValidateName("service", service, MaxServiceName); err != nil {
		return err
	}
	return p.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateService(project, service, p.clock.Now()); err != nil {
			return err
		}
		return p.lifecycle(ctx, tx, "service.create", EventData{Project: project, Service: service})
	})
}

// DeleteService removes a service; the delete hooks end what runs for it
// in the same transaction.
func (p *Projects) DeleteService(ctx context.Context, project, service string) error {
	return p.store.Update(ctx, func(tx Tx) error {
		if err := p.runDeleteHooks(ctx, tx, project, service); err != nil {
			return err
		}
		if err := tx.DeleteService(project, service); err != nil {
			return err
		}
		return p.lifecycle(ctx, tx, "service.delete", EventData{Project: project, Service: service})
	})
}

// lifecycle emits Keptn's <what>.started and <what>.finished events, so
// integrations subscribed to them react as they did to Keptn.
func (p *Projects) lifecycle(ctx context.Context, tx Tx, what string, d EventData) error {
	kc := NewID()
	started, err := p.events.New("sh.keptn.event."+what+".started", "shipyard-controller", kc, "", d)
	if err != nil {
		return err
	}
	if err := p.events.Append(ctx, tx, started); err != nil {
		return err
	}
	d.Status, d.Result = StatusSucceeded, ResultPass
	finished, err := p.events.New("sh.keptn.event."+what+".finished", "shipyard-controller", kc, started.ID, d)
	if err != nil {
		return err
	}
	return p.events.Append(ctx, tx, finished)
}
