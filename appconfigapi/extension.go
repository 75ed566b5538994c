package appconfigapi

import (
	"net/http"
	"strconv"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/extension"
)

func (a *API) registerExtensions(aws route) {
	aws("POST /extensions", a.createExtension)
	aws("GET /extensions", a.listExtensions)
	aws("GET /extensions/{id}", a.getExtension)
	aws("PATCH /extensions/{id}", a.updateExtension)
	aws("DELETE /extensions/{id}", a.deleteExtension)
	aws("POST /extensionassociations", a.createAssociation)
	aws("GET /extensionassociations", a.listAssociations)
	aws("GET /extensionassociations/{id}", a.getAssociation)
	aws("PATCH /extensionassociations/{id}", a.updateAssociation)
	aws("DELETE /extensionassociations/{id}", a.deleteAssociation)
}

// optInt reads an optional positive integer from s ("" = 0).
func optInt(s, name string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, appconfig.Errorf(appconfig.CodeBadRequest, "%s must be a positive integer", name)
	}
	return n, nil
}

func (a *API) createExtension(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name        string
		Description string
		Actions     map[appconfig.ActionPoint][]extension.Action
		Parameters  map[string]extension.Parameter
		Tags        map[string]string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ci := extension.CreateInput{Name: in.Name, Description: in.Description, Actions: in.Actions,
		Parameters: in.Parameters, Tags: in.Tags}
	if h := r.Header.Get("Latest-Version-Number"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil {
			return appconfig.Errorf(appconfig.CodeBadRequest, "Latest-Version-Number must be an integer")
		}
		ci.LatestVersion = &n
	}
	e, err := a.Extensions.CreateExtension(r.Context(), ci)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

func (a *API) getExtension(w http.ResponseWriter, r *http.Request) error {
	v, err := optInt(r.URL.Query().Get("version_number"), "version_number")
	if err != nil {
		return err
	}
	e, err := a.Extensions.Extension(r.Context(), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

// extensionSummary is an item of ListExtensions.
type extensionSummary struct {
	ID            string `json:"Id"`
	Name          string `json:"Name"`
	VersionNumber int    `json:"VersionNumber"`
	Arn           string `json:"Arn"`
	Description   string `json:"Description,omitempty"`
}

func (a *API) listExtensions(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Extensions.Extensions(r.Context(), r.URL.Query().Get("name"), p)
	if err != nil {
		return err
	}
	out := make([]extensionSummary, 0, len(list))
	for _, e := range list {
		out = append(out, extensionSummary{e.ID, e.Name, e.VersionNumber, e.Arn, e.Description})
	}
	return items(w, out, next)
}

func (a *API) updateExtension(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Description   *string
		Actions       map[appconfig.ActionPoint][]extension.Action
		Parameters    map[string]extension.Parameter
		VersionNumber int
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	e, err := a.Extensions.UpdateExtension(r.Context(), r.PathValue("id"), in.VersionNumber, in.Description, in.Actions, in.Parameters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (a *API) deleteExtension(w http.ResponseWriter, r *http.Request) error {
	v, err := optInt(r.URL.Query().Get("version"), "version")
	if err != nil {
		return err
	}
	if err := a.Extensions.DeleteExtension(r.Context(), r.PathValue("id"), v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) createAssociation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ExtensionIdentifier    string
		ExtensionVersionNumber int
		ResourceIdentifier     string
		Parameters             map[string]string
		Tags                   map[string]string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	as, err := a.Extensions.CreateAssociation(r.Context(), extension.AssociationInput{
		ExtensionIdentifier: in.ExtensionIdentifier, ExtensionVersion: in.ExtensionVersionNumber,
		ResourceIdentifier: in.ResourceIdentifier, Parameters: in.Parameters, Tags: in.Tags})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, as)
}

func (a *API) getAssociation(w http.ResponseWriter, r *http.Request) error {
	as, err := a.Extensions.Association(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, as)
}

// associationSummary is an item of ListExtensionAssociations.
type associationSummary struct {
	ID           string `json:"Id"`
	ExtensionArn string `json:"ExtensionArn"`
	ResourceArn  string `json:"ResourceArn"`
}

func (a *API) listAssociations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := page(r)
	if err != nil {
		return err
	}
	v, err := optInt(q.Get("extension_version_number"), "extension_version_number")
	if err != nil {
		return err
	}
	list, err := a.Extensions.Associations(r.Context(), extension.AssociationFilter{
		ResourceArn: q.Get("resource_identifier"), Extension: q.Get("extension_identifier"), Version: v})
	if err != nil {
		return err
	}
	// Filters apply in memory, so the page is cut here: the token is the offset.
	start := int(p.After)
	if start > len(list) {
		start = len(list)
	}
	end := min(start+p.Limit, len(list))
	out := make([]associationSummary, 0, end-start)
	for _, as := range list[start:end] {
		out = append(out, associationSummary{as.ID, as.ExtensionArn, as.ResourceArn})
	}
	var next int64
	if end < len(list) {
		next = int64(end)
	}
	return items(w, out, next)
}

func (a *API) updateAssociation(w http.ResponseWriter, r *http.Request) error {
	var in struct{ Parameters map[string]string }
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	as, err := a.Extensions.UpdateAssociation(r.Context(), r.PathValue("id"), in.Parameters)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, as)
}

func (a *API) deleteAssociation(w http.ResponseWriter, r *http.Request) error {
	if err := a.Extensions.DeleteAssociation(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
