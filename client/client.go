// Package client is a Go client for baton's Keptn v1 compatible API. The CLI
// uses it, and so can integrations and tests.
package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Client talks to one baton.
type Client struct {
	// Endpoint is baton's base URL, e.g. http://127.0.0.1:8080. A trailing
	// "/api" (as Keptn CLI users write it) is accepted.
	Endpoint string
	// Token is the API token sent as x-token.
	Token string
	// HTTP is the client used (default: 30s timeout).
	HTTP *http.Client
}

// New returns a client for endpoint and token.
func New(endpoint, token string) *Client {
	e := strings.TrimRight(endpoint, "/")
	e = strings.TrimSuffix(e, "/api")
	return &Client{Endpoint: e, Token: token, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Error is an error answer from baton ({"code","message"}).
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status) }

// Do sends a request with body in (JSON-encoded unless []byte) and decodes a
// JSON answer into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	switch b := in.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Endpoint+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("x-token", c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return c.transportError(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(raw))
		}
		return &Error{Status: resp.StatusCode, Message: e.Message}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
		}
	}
	return nil
}

// ErrUnreachable is wrapped by errors of requests that found no baton
// listening at the endpoint (connection refused).
var ErrUnreachable = errors.New("cannot reach baton")

// transportError explains a refused connection in words an operator acts on.
func (c *Client) transportError(err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w at %s — is `baton serve` running? (%v)", ErrUnreachable, c.Endpoint, err)
	}
	return err
}

// Auth checks the token (POST /api/v1/auth).
func (c *Client) Auth(ctx context.Context) error {
	return c.Do(ctx, "POST", "/api/v1/auth", nil, nil)
}

// Metadata is GET /api/v1/metadata.
type Metadata struct {
	KeptnVersion    string `json:"keptnversion"`
	BridgeVersion   string `json:"bridgeversion"`
	ShipyardVersion string `json:"shipyardversion"`
}

// Metadata returns the server's metadata.
func (c *Client) Metadata(ctx context.Context) (Metadata, error) {
	var m Metadata
	return m, c.Do(ctx, "GET", "/api/v1/metadata", nil, &m)
}

// SendEvent posts a CloudEvent (JSON object) and returns its keptnContext.
func (c *Client) SendEvent(ctx context.Context, event json.RawMessage) (string, error) {
	var r struct {
		KeptnContext string `json:"keptnContext"`
	}
	err := c.Do(ctx, "POST", "/api/v1/event", []byte(event), &r)
	return r.KeptnContext, err
}

// EventsPage is a page of the event history.
type EventsPage struct {
	Events      []json.RawMessage `json:"events"`
	NextPageKey string            `json:"nextPageKey"`
	TotalCount  int               `json:"totalCount"`
}

// Events queries the event history with the datastore's filters
// (keptnContext, type, project, stage, service, root, pageSize, nextPageKey…).
func (c *Client) Events(ctx context.Context, filter url.Values) (EventsPage, error) {
	var p EventsPage
	return p, c.Do(ctx, "GET", "/api/mongodb-datastore/event?"+filter.Encode(), nil, &p)
}

// Project is a project as the API returns it.
type Project struct {
	ProjectName     string         `json:"projectName"`
	CreationDate    string         `json:"creationDate"`
	ShipyardVersion string         `json:"shipyardVersion"`
	Shipyard        string         `json:"shipyard"`
	Stages          []ProjectStage `json:"stages"`
}

// ProjectStage is a stage of a project with its services.
type ProjectStage struct {
	StageName string           `json:"stageName"`
	Services  []ProjectService `json:"services"`
}

// ProjectService is a service as a stage lists it.
type ProjectService struct {
	ServiceName   string `json:"serviceName"`
	DeployedImage string `json:"deployedImage"`
	// LastEventTypes maps event types to the latest event of that type
	// (Keptn's eventContext: keptnContext, eventId, time).
	LastEventTypes map[string]EventContext `json:"lastEventTypes,omitempty"`
	CreationDate   string                  `json:"creationDate"`
}

// EventContext points at an event.
type EventContext struct {
	KeptnContext string `json:"keptnContext"`
	EventID      string `json:"eventId"`
	Time         string `json:"time"`
}

// Projects lists all projects, following pagination.
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	var all []Project
	key := ""
	for {
		var p struct {
			Projects    []Project `json:"projects"`
			NextPageKey string    `json:"nextPageKey"`
		}
		if err := c.Do(ctx, "GET", "/api/controlPlane/v1/project?pageSize=100&nextPageKey="+url.QueryEscape(key), nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Projects...)
		if p.NextPageKey == "" || p.NextPageKey == "0" {
			return all, nil
		}
		key = p.NextPageKey
	}
}

// Project returns one project.
func (c *Client) Project(ctx context.Context, name string) (Project, error) {
	var p Project
	return p, c.Do(ctx, "GET", "/api/controlPlane/v1/project/"+url.PathEscape(name), nil, &p)
}

// GitCredentials are a project's optional upstream credentials.
type GitCredentials struct {
	RemoteURL string `json:"remoteURL,omitempty"`
	User      string `json:"user,omitempty"`
	HTTPS     *struct {
		Token string `json:"token,omitempty"`
	} `json:"https,omitempty"`
}

// CreateProject creates a project from a shipyard (YAML).
func (c *Client) CreateProject(ctx context.Context, name string, shipyard []byte, git *GitCredentials) error {
	body := map[string]any{"name": name, "shipyard": base64.StdEncoding.EncodeToString(shipyard)}
	if git != nil {
		body["gitCredentials"] = git
	}
	return c.Do(ctx, "POST", "/api/controlPlane/v1/project", body, nil)
}

// DeleteProject deletes a project.
func (c *Client) DeleteProject(ctx context.Context, name string) error {
	return c.Do(ctx, "DELETE", "/api/controlPlane/v1/project/"+url.PathEscape(name), nil, nil)
}

// CreateService adds a service to a project.
func (c *Client) CreateService(ctx context.Context, project, service string) error {
	return c.Do(ctx, "POST", "/api/controlPlane/v1/project/"+url.PathEscape(project)+"/service",
		map[string]string{"serviceName": service}, nil)
}

// DeleteService removes a service.
func (c *Client) DeleteService(ctx context.Context, project, service string) error {
	return c.Do(ctx, "DELETE", "/api/controlPlane/v1/project/"+url.PathEscape(project)+"/service/"+url.PathEscape(service), nil, nil)
}

// ResourcePath returns the resource-service path of a level.
func ResourcePath(project, stage, service string) string {
	p := "/api/resource-service/v1/project/" + url.PathEscape(project)
	if stage != "" {
		p += "/stage/" + url.PathEscape(stage)
		if service != "" {
			p += "/service/" + url.PathEscape(service)
		}
	}
	return p + "/resource"
}

// AddResource writes one resource and returns the new revision.
func (c *Client) AddResource(ctx context.Context, project, stage, service, uri string, content []byte) (string, error) {
	rev, _, err := c.AddResourceWarn(ctx, project, stage, service, uri, content)
	return rev, err
}

// AddResourceWarn writes one resource and returns the new revision and the
// server's warnings: what was stored but will fail when it runs.
func (c *Client) AddResourceWarn(ctx context.Context, project, stage, service, uri string, content []byte) (string, []string, error) {
	var r struct {
		CommitID string   `json:"commitID"`
		Warnings []string `json:"warnings"`
	}
	body := map[string]any{"resources": []map[string]string{{"resourceURI": uri, "resourceContent": base64.StdEncoding.EncodeToString(content)}}}
	err := c.Do(ctx, "POST", ResourcePath(project, stage, service), body, &r)
	return r.CommitID, r.Warnings, err
}

// Resource reads one resource's content.
func (c *Client) Resource(ctx context.Context, project, stage, service, uri string) ([]byte, error) {
	var r struct {
		ResourceContent string `json:"resourceContent"`
	}
	if err := c.Do(ctx, "GET", ResourcePath(project, stage, service)+"/"+url.PathEscape(uri), nil, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.ResourceContent)
}

// CreateSecret stores a secret.
func (c *Client) CreateSecret(ctx context.Context, name, scope string, data map[string]string) error {
	return c.Do(ctx, "POST", "/api/secrets/v1/secret", map[string]any{"name": name, "scope": scope, "data": data}, nil)
}

// DeleteSecret removes a secret.
func (c *Client) DeleteSecret(ctx context.Context, name, scope string) error {
	return c.Do(ctx, "DELETE", "/api/secrets/v1/secret?name="+url.QueryEscape(name)+"&scope="+url.QueryEscape(scope), nil, nil)
}

// SecretInfo is a secret without values.
type SecretInfo struct {
	Name  string   `json:"name"`
	Scope string   `json:"scope"`
	Keys  []string `json:"keys"`
}

// Secrets lists secrets.
func (c *Client) Secrets(ctx context.Context) ([]SecretInfo, error) {
	var r struct {
		Secrets []SecretInfo `json:"Secrets"`
	}
	return r.Secrets, c.Do(ctx, "GET", "/api/secrets/v1/secret", nil, &r)
}
