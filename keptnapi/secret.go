package keptnapi

import (
	"net/http"

	"github.com/batonhq/baton/keptn"
)

func (a *API) registerSecrets(mux *http.ServeMux) {
	const base = "/api/secrets/v1"
	mux.Handle("GET "+base+"/secret", a.authed(a.listSecrets))
	mux.Handle("POST "+base+"/secret", a.authed(a.writeSecret(true)))
	mux.Handle("PUT "+base+"/secret", a.authed(a.writeSecret(false)))
	mux.Handle("DELETE "+base+"/secret", a.authed(a.deleteSecret))
	mux.Handle("GET "+base+"/scope", a.authed(a.listScopes))
}

func (a *API) listSecrets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := a.Secrets.List(r.Context(), q.Get("name"), q.Get("scope"))
	if err != nil {
		return err
	}
	// Keptn's secret-service really spells it with a capital S.
	return writeJSON(w, http.StatusOK, map[string]any{"Secrets": list})
}

func (a *API) writeSecret(create bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Name  string            `json:"name"`
			Scope string            `json:"scope"`
			Data  map[string]string `json:"data"`
		}
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		var m keptn.SecretMeta
		var err error
		status := http.StatusOK
		if create {
			m, err = a.Secrets.Create(r.Context(), in.Name, in.Scope, in.Data)
			status = http.StatusCreated
		} else {
			m, err = a.Secrets.Update(r.Context(), in.Name, in.Scope, in.Data)
		}
		if err != nil {
			return err
		}
		return writeJSON(w, status, m)
	}
}

func (a *API) deleteSecret(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("name") == "" {
		return keptn.Errorf(keptn.CodeBadRequest, "name is required")
	}
	if err := a.Secrets.Delete(r.Context(), q.Get("name"), q.Get("scope")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{})
}

func (a *API) listScopes(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"scopes": keptn.Scopes})
}
