package appconfigapi

import (
	"net/http"
	"net/url"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerTags(aws route) {
	aws("GET /tags/{arn...}", a.listTags)
	aws("POST /tags/{arn...}", a.tagResource)
	aws("DELETE /tags/{arn...}", a.untagResource)
}

// resourceArn returns the ARN path parameter; clients escape it ("/" as %2F),
// which the router has already decoded once.
func resourceArn(r *http.Request) (string, error) {
	s := r.PathValue("arn")
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	if s == "" {
		return "", appconfig.Errorf(appconfig.CodeBadRequest, "ResourceArn is required")
	}
	return s, nil
}

func (a *API) listTags(w http.ResponseWriter, r *http.Request) error {
	arn, err := resourceArn(r)
	if err != nil {
		return err
	}
	tags, err := a.Service.Tags(r.Context(), arn)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Tags": tags})
}

func (a *API) tagResource(w http.ResponseWriter, r *http.Request) error {
	arn, err := resourceArn(r)
	if err != nil {
		return err
	}
	var in struct{ Tags map[string]string }
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Tags == nil { // the model requires the member; an empty map is valid (min 0)
		return appconfig.Errorf(appconfig.CodeBadRequest, "Tags is required")
	}
	if err := a.Service.Tag(r.Context(), arn, in.Tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) untagResource(w http.ResponseWriter, r *http.Request) error {
	arn, err := resourceArn(r)
	if err != nil {
		return err
	}
	keys := r.URL.Query()["tagKeys"]
	if len(keys) == 0 {
		return appconfig.Errorf(appconfig.CodeBadRequest, "tagKeys is required")
	}
	if err := a.Service.Untag(r.Context(), arn, keys); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
