package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerProfiles(aws route) {
	aws("POST /applications/{app}/configurationprofiles", a.createProfile)
	aws("GET /applications/{app}/configurationprofiles", a.listProfiles)
	aws("GET /applications/{app}/configurationprofiles/{profile}", a.getProfile)
	aws("PATCH /applications/{app}/configurationprofiles/{profile}", a.updateProfile)
	aws("DELETE /applications/{app}/configurationprofiles/{profile}", a.deleteProfile)
	aws("POST /applications/{app}/configurationprofiles/{profile}/validators", a.validate)
}

func (a *API) createProfile(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		appconfig.ConfigurationProfile
		Tags map[string]string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := in.ConfigurationProfile
	p.ApplicationID = r.PathValue("app")
	if err := a.Service.CreateProfile(r.Context(), &p, in.Tags); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (a *API) getProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Service.Profile(r.Context(), r.PathValue("app"), r.PathValue("profile"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// profileSummary is the ConfigurationProfileSummary shape.
type profileSummary struct {
	ApplicationID  string   `json:"ApplicationId"`
	ID             string   `json:"Id"`
	Name           string   `json:"Name"`
	LocationURI    string   `json:"LocationUri"`
	ValidatorTypes []string `json:"ValidatorTypes"`
	Type           string   `json:"Type"`
}

func (a *API) listProfiles(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Profiles(r.Context(), r.PathValue("app"), r.URL.Query().Get("type"), p)
	if err != nil {
		return err
	}
	out := make([]profileSummary, 0, len(list))
	for _, c := range list {
		s := profileSummary{ApplicationID: c.ApplicationID, ID: c.ID, Name: c.Name, LocationURI: c.LocationURI,
			Type: c.Type, ValidatorTypes: []string{}}
		for _, v := range c.Validators {
			s.ValidatorTypes = append(s.ValidatorTypes, v.Type)
		}
		out = append(out, s)
	}
	return items(w, out, next)
}

func (a *API) updateProfile(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name, Description, RetrievalRoleArn, KmsKeyIdentifier *string
		Validators                                            *[]appconfig.Validator
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := a.Service.UpdateProfile(r.Context(), r.PathValue("app"), r.PathValue("profile"), appconfig.ProfileUpdate{
		Name: in.Name, Description: in.Description, RetrievalRoleArn: in.RetrievalRoleArn,
		Validators: in.Validators, KmsKeyIdentifier: in.KmsKeyIdentifier})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (a *API) deleteProfile(w http.ResponseWriter, r *http.Request) error {
	if err := appconfig.CheckDeletionProtection(r.Header.Get("x-amzn-deletion-protection-check")); err != nil {
		return err
	}
	if err := a.Service.DeleteProfile(r.Context(), r.PathValue("app"), r.PathValue("profile")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) validate(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query().Get("configuration_version")
	if v == "" {
		return appconfig.Errorf(appconfig.CodeBadRequest, "configuration_version is required")
	}
	if err := a.Service.Validate(r.Context(), r.PathValue("app"), r.PathValue("profile"), v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
