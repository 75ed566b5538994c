package appconfigapi

import (
	"net/http"
	"strconv"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) startSession(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ApplicationIdentifier                string
		EnvironmentIdentifier                string
		ConfigurationProfileIdentifier       string
		RequiredMinimumPollIntervalInSeconds int
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.ApplicationIdentifier == "" || in.EnvironmentIdentifier == "" || in.ConfigurationProfileIdentifier == "" {
		return appconfig.Errorf(appconfig.CodeBadRequest,
			"ApplicationIdentifier, EnvironmentIdentifier and ConfigurationProfileIdentifier are required")
	}
	tok, err := a.Data.StartSession(r.Context(), in.ApplicationIdentifier, in.EnvironmentIdentifier,
		in.ConfigurationProfileIdentifier, in.RequiredMinimumPollIntervalInSeconds)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"InitialConfigurationToken": tok})
}

// getLatest answers GetLatestConfiguration: the configuration bytes as the
// body (empty when unchanged) and the next token in a header.
func (a *API) getLatest(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("configuration_token")
	if tok == "" || len(tok) > 8192 {
		return appconfig.Errorf(appconfig.CodeBadRequest, "configuration_token is required")
	}
	l, err := a.Data.GetLatest(r.Context(), tok)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Next-Poll-Configuration-Token", l.NextToken)
	h.Set("Next-Poll-Interval-In-Seconds", strconv.Itoa(l.PollSeconds))
	if l.ContentType != "" {
		h.Set("Content-Type", l.ContentType)
	}
	if l.VersionLabel != "" {
		h.Set("Version-Label", l.VersionLabel)
	}
	h.Set("Content-Length", strconv.Itoa(len(l.Content)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(l.Content)
	return err
}

// getConfiguration answers the deprecated GetConfiguration operation.
func (a *API) getConfiguration(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	l, version, err := a.Data.Configuration(r.Context(), r.PathValue("app"), r.PathValue("env"), r.PathValue("profile"),
		q.Get("client_id"), q.Get("client_configuration_version"))
	if err != nil {
		return err
	}
	if version != "" {
		w.Header().Set("Configuration-Version", version)
	}
	if l.ContentType != "" {
		w.Header().Set("Content-Type", l.ContentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(l.Content)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(l.Content)
	return err
}
