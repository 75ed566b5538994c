package keptnapi

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// registerResources mounts the resource-service routes and their
// configuration-service alias (go-utils up to v0.17 calls the latter).
func (a *API) registerResources(mux *http.ServeMux) {
	for _, base := range []string{"/api/resource-service/v1", "/api/configuration-service/v1"} {
		for _, level := range []string{
			"/project/{project}",
			"/project/{project}/stage/{stage}",
			"/project/{project}/stage/{stage}/service/{service}",
		} {
			p := base + level + "/resource"
			mux.Handle("GET "+p, a.authed(a.listResources))
			mux.Handle("POST "+p, a.authed(a.writeResources(http.StatusCreated)))
			mux.Handle("PUT "+p, a.authed(a.writeResources(http.StatusOK)))
			mux.Handle("GET "+p+"/{uri...}", a.authed(a.getResource))
			mux.Handle("PUT "+p+"/{uri...}", a.authed(a.putResource))
			mux.Handle("DELETE "+p+"/{uri...}", a.authed(a.deleteResource))
		}
	}
}

func resourceKey(r *http.Request) keptn.ResourceKey {
	return keptn.ResourceKey{
		Project: r.PathValue("project"), Stage: r.PathValue("stage"), Service: r.PathValue("service"),
		URI: r.PathValue("uri"),
	}
}

type resourceMetadata struct {
	Branch      string `json:"branch"`
	UpstreamURL string `json:"upstreamURL,omitempty"`
	Version     string `json:"version"`
}

type resourceJSON struct {
	ResourceURI     string            `json:"resourceURI"`
	ResourceContent string            `json:"resourceContent,omitempty"`
	Metadata        *resourceMetadata `json:"metadata,omitempty"`
}

func (a *API) metadataFor(r *http.Request, key keptn.ResourceKey, revision string) *resourceMetadata {
	branch := key.Stage
	if branch == "" {
		branch = "main"
	}
	m := &resourceMetadata{Branch: branch, Version: revision}
	if p, err := a.Store.Project(r.Context(), key.Project); err == nil {
		m.UpstreamURL = p.Git.RemoteURL
	}
	return m
}

func (a *API) listResources(w http.ResponseWriter, r *http.Request) error {
	pg, err := parsePage(r, 20, 1000)
	if err != nil {
		return err
	}
	key := resourceKey(r)
	res, total, err := a.Store.Resources(r.Context(), key, pg.Offset, pg.Size)
	if err != nil {
		return err
	}
	out := []resourceJSON{}
	for _, x := range res {
		out = append(out, resourceJSON{ResourceURI: x.URI, ResourceContent: b64(x.Content), Metadata: a.metadataFor(r, key, x.Revision)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"resources": out, "nextPageKey": pg.next(len(res), total), "pageSize": pg.Size, "totalCount": total,
	})
}

func (a *API) getResource(w http.ResponseWriter, r *http.Request) error {
	key := resourceKey(r)
	if err := keptn.ValidateResourceURI(key.URI); err != nil {
		return err
	}
	res, err := a.Store.Resource(r.Context(), key, r.URL.Query().Get("gitCommitID"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, resourceJSON{ResourceURI: res.URI, ResourceContent: b64(res.Content), Metadata: a.metadataFor(r, key, res.Revision)})
}

func decodeContent(uri, s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, keptn.Errorf(keptn.CodeBadRequest, "resourceContent of %s is not valid base64", uri)
	}
	return b, nil
}

func (a *API) writeResources(status int) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Resources []resourceJSON `json:"resources"`
		}
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		res := make([]keptn.Resource, 0, len(in.Resources))
		for _, x := range in.Resources {
			b, err := decodeContent(x.ResourceURI, x.ResourceContent)
			if err != nil {
				return err
			}
			res = append(res, keptn.Resource{URI: x.ResourceURI, Content: b})
		}
		key := resourceKey(r)
		rev, warnings, err := a.Resources.PutWarn(r.Context(), key, res)
		if err != nil {
			return err
		}
		return writeJSON(w, status, withWarnings(map[string]any{"commitID": rev, "metadata": a.metadataFor(r, key, rev)}, warnings))
	}
}

func (a *API) putResource(w http.ResponseWriter, r *http.Request) error {
	var in resourceJSON
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	key := resourceKey(r)
	b, err := decodeContent(key.URI, in.ResourceContent)
	if err != nil {
		return err
	}
	rev, warnings, err := a.Resources.PutWarn(r.Context(), key, []keptn.Resource{{URI: key.URI, Content: b}})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, withWarnings(map[string]any{"commitID": rev, "metadata": a.metadataFor(r, key, rev)}, warnings))
}

func (a *API) deleteResource(w http.ResponseWriter, r *http.Request) error {
	key := resourceKey(r)
	rev, err := a.Resources.Delete(r.Context(), key)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"commitID": rev, "metadata": a.metadataFor(r, key, rev)})
}

// withWarnings adds baton's "warnings" (what was stored but will fail when
// it runs) to a resource write's answer when there are any.
func withWarnings(body map[string]any, warnings []string) map[string]any {
	if len(warnings) > 0 {
		body["warnings"] = warnings
	}
	return body
}
