package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerEnvironments(aws route) {
	aws("POST /applications/{app}/environments", a.createEnvironment)
	aws("GET /applications/{app}/environments", a.listEnvironments)
	aws("GET /applications/{app}/environments/{env}", a.getEnvironment)
	aws("PATCH /applications/{app}/environments/{env}", a.updateEnvironment)
	aws("DELETE /applications/{app}/environments/{env}", a.deleteEnvironment)
}

func (a *API) createEnvironment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name, Description string
		Monitors          []appconfig.Monitor
		Tags              map[string]string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	env := &appconfig.Environment{ApplicationID: r.PathValue("app"), Name: in.Name, Description: in.Description, Monitors: in.Monitors}
	if err := a.Service.CreateEnvironment(r.Context(), env, in.Tags); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, env)
}

func (a *API) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	env, err := a.Service.Environment(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, env)
}

func (a *API) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Environments(r.Context(), r.PathValue("app"), p)
	if err != nil {
		return err
	}
	return items(w, list, next)
}

func (a *API) updateEnvironment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name, Description *string
		Monitors          *[]appconfig.Monitor
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	env, err := a.Service.UpdateEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env"),
		appconfig.EnvironmentUpdate{Name: in.Name, Description: in.Description, Monitors: in.Monitors})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, env)
}

func (a *API) deleteEnvironment(w http.ResponseWriter, r *http.Request) error {
	if err := appconfig.CheckDeletionProtection(r.Header.Get("x-amzn-deletion-protection-check")); err != nil {
		return err
	}
	if err := a.Service.DeleteEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
