package appconfigapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerVersions(aws route) {
	const base = "/applications/{app}/configurationprofiles/{profile}/hostedconfigurationversions"
	aws("POST "+base, a.createVersion)
	aws("GET "+base, a.listVersions)
	aws("GET "+base+"/{version}", a.getVersion)
	aws("DELETE "+base+"/{version}", a.deleteVersion)
}

// createVersion takes the raw content as body; Content-Type, Description,
// Latest-Version-Number and VersionLabel come as headers.
func (a *API) createVersion(w http.ResponseWriter, r *http.Request) error {
	content, err := io.ReadAll(io.LimitReader(r.Body, appconfig.MaxContent+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(content) > appconfig.MaxContent {
		return &appconfig.Error{Code: appconfig.CodePayloadTooLarge, Message: "configuration content is larger than 2 MB"}
	}
	if err != nil {
		return appconfig.Errorf(appconfig.CodeBadRequest, "read body: %v", err)
	}
	in := appconfig.NewVersion{Application: r.PathValue("app"), Profile: r.PathValue("profile"), Content: content,
		ContentType: r.Header.Get("Content-Type"), Description: r.Header.Get("Description"),
		VersionLabel: r.Header.Get("VersionLabel")}
	if s := r.Header.Get("Latest-Version-Number"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return appconfig.Errorf(appconfig.CodeBadRequest, "Latest-Version-Number must be an integer")
		}
		in.LatestVersion = &n
	}
	v, err := a.Service.CreateVersion(r.Context(), in)
	if err != nil {
		return err
	}
	return writeVersion(w, http.StatusCreated, v)
}

func writeVersion(w http.ResponseWriter, status int, v *appconfig.HostedVersion) error {
	h := w.Header()
	h.Set("Application-Id", v.ApplicationID)
	h.Set("Configuration-Profile-Id", v.ConfigurationProfileID)
	h.Set("Version-Number", strconv.Itoa(v.VersionNumber))
	h.Set("Content-Type", v.ContentType)
	if v.Description != "" {
		h.Set("Description", v.Description)
	}
	if v.VersionLabel != "" {
		h.Set("VersionLabel", v.VersionLabel)
	}
	w.WriteHeader(status)
	_, err := w.Write(v.Content)
	return err
}

func (a *API) getVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := pathInt(r, "version")
	if err != nil {
		return err
	}
	v, err := a.Service.Version(r.Context(), r.PathValue("app"), r.PathValue("profile"), n)
	if err != nil {
		return err
	}
	return writeVersion(w, http.StatusOK, v)
}

// versionSummary is the HostedConfigurationVersionSummary shape.
type versionSummary struct {
	ApplicationID          string `json:"ApplicationId"`
	ConfigurationProfileID string `json:"ConfigurationProfileId"`
	VersionNumber          int    `json:"VersionNumber"`
	Description            string `json:"Description,omitempty"`
	ContentType            string `json:"ContentType"`
	VersionLabel           string `json:"VersionLabel,omitempty"`
}

func (a *API) listVersions(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Versions(r.Context(), r.PathValue("app"), r.PathValue("profile"),
		r.URL.Query().Get("version_label"), p)
	if err != nil {
		return err
	}
	out := make([]versionSummary, 0, len(list))
	for _, v := range list {
		out = append(out, versionSummary{ApplicationID: v.ApplicationID, ConfigurationProfileID: v.ConfigurationProfileID,
			VersionNumber: v.VersionNumber, Description: v.Description, ContentType: v.ContentType, VersionLabel: v.VersionLabel})
	}
	return items(w, out, next)
}

func (a *API) deleteVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := pathInt(r, "version")
	if err != nil {
		return err
	}
	if err := a.Service.DeleteVersion(r.Context(), r.PathValue("app"), r.PathValue("profile"), n); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
