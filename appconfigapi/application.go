package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerApplications(aws route) {
	aws("POST /applications", a.createApplication)
	aws("GET /applications", a.listApplications)
	aws("GET /applications/{app}", a.getApplication)
	aws("PATCH /applications/{app}", a.updateApplication)
	aws("DELETE /applications/{app}", a.deleteApplication)
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		appconfig.Application
		Tags map[string]string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	app := &appconfig.Application{Name: in.Name, Description: in.Description}
	if err := a.Service.CreateApplication(r.Context(), app, in.Tags); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, app)
}

func (a *API) getApplication(w http.ResponseWriter, r *http.Request) error {
	app, err := a.Service.Application(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, app)
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Applications(r.Context(), p)
	if err != nil {
		return err
	}
	return items(w, list, next)
}

func (a *API) updateApplication(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Name, Description *string }
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	app, err := a.Service.UpdateApplication(r.Context(), r.PathValue("app"), in.Name, in.Description)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, app)
}

func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request) error {
	if err := a.Service.DeleteApplication(r.Context(), r.PathValue("app")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
