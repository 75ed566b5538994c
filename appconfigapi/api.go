// Package appconfigapi serves baton's AWS AppConfig compatible HTTP faces:
// the AppConfig control plane (REST-JSON, API version 2019-10-09), the
// appconfigdata data plane (2021-11-11), and baton's own alarm API that
// environment monitors watch.
//
// Handlers decode, call the appconfig domain and encode. Errors are written
// by one adapter in the AWS REST-JSON shape: status from the error name, an
// X-Amzn-ErrorType header and a {"Message": ...} body.
package appconfigapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/health"
)

// API is the AppConfig face.
type API struct {
	Service *appconfig.Service
	Data    *appconfig.Data
	// Extensions serves the extension and association routes (nil: none).
	Extensions *extension.Service
	// Auth checks the admin token of baton's own routes (/baton/v1/alarms).
	Auth *auth.Checker
	Log  *slog.Logger
	// MaxBody caps JSON request bodies (bytes); hosted configuration
	// versions may be up to appconfig.MaxContent.
	MaxBody int64
}

// route mounts one AWS route.
type route func(pattern string, h handler)

// handler is an HTTP handler that returns an error for the adapter to write.
type handler func(w http.ResponseWriter, r *http.Request) error

// Register mounts the AppConfig and appconfigdata routes on mux, each
// wrapped by wrap (the AWS request authenticator, for example SigV4
// verification), and baton's alarm routes behind the admin token.
func (a *API) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	var aws route = func(pattern string, h handler) { mux.Handle(pattern, wrap(a.adapt(h))) }
	a.registerApplications(aws)
	a.registerEnvironments(aws)
	a.registerProfiles(aws)
	a.registerVersions(aws)
	a.registerStrategies(aws)
	a.registerDeployments(aws)
	a.registerTags(aws)
	a.registerSettings(aws)
	if a.Extensions != nil {
		a.registerExtensions(aws)
	}
	aws("POST /configurationsessions", a.startSession)
	aws("GET /configuration", a.getLatest)
	aws("GET /applications/{app}/environments/{env}/configurations/{profile}", a.getConfiguration)
	a.registerAlarms(mux)
}

// adapt turns h into an http.Handler that caps the body and writes errors.
func (a *API) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := a.MaxBody
		if limit <= 0 {
			limit = 1 << 20
		}
		limit = max(limit, appconfig.MaxContent+1)
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

var codeStatus = map[string]int{
	appconfig.CodeBadRequest:      http.StatusBadRequest,
	appconfig.CodeNotFound:        http.StatusNotFound,
	appconfig.CodeConflict:        http.StatusConflict,
	appconfig.CodeQuotaExceeded:   http.StatusPaymentRequired,
	appconfig.CodePayloadTooLarge: http.StatusRequestEntityTooLarge,
	appconfig.CodeInternal:        http.StatusInternalServerError,
}

// writeError writes err in AWS REST-JSON form. Errors that are not
// *appconfig.Error are logged and shown as "internal error".
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body := map[string]any{}
	code, msg := appconfig.CodeInternal, "internal error"
	var e *appconfig.Error
	var mbe *http.MaxBytesError
	if msg, ok := health.Unavailable(err); ok {
		a.Log.Error("appconfig request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("X-Amzn-ErrorType", "ServiceUnavailableException")
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"Message": msg})
		return
	}
	switch {
	case errors.As(err, &e):
		code, msg = e.Code, e.Message
		addDetails(body, e)
	case errors.As(err, &mbe):
		code, msg = appconfig.CodePayloadTooLarge, fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
		body["Measure"], body["Limit"] = "KILOBYTES", float64(mbe.Limit)/1024
	}
	status := codeStatus[code]
	if status == 0 || status == http.StatusInternalServerError {
		status = http.StatusInternalServerError
		a.Log.Error("appconfig request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body["Message"] = msg
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, body)
}

func addDetails(body map[string]any, e *appconfig.Error) {
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	if e.Details != nil {
		body["Details"] = e.Details
	}
	if e.Problem != "" {
		body["Details"] = map[string]any{"InvalidParameters": map[string]any{
			"ConfigurationToken": map[string]string{"Problem": e.Problem}}}
	}
	if e.ResourceName != "" {
		body["ResourceName"] = e.ResourceName
		body["ResourceType"] = e.ResourceName
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// decodeJSON decodes the JSON body of r into v; an empty body is {}. A body
// that is not valid UTF-8 is refused: decoding would silently replace the
// bad bytes, changing names behind the caller's back.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if !utf8.Valid(body) {
		return appconfig.Errorf(appconfig.CodeBadRequest, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if err.Error() == "EOF" {
			return nil
		}
		return appconfig.Errorf(appconfig.CodeBadRequest, "malformed JSON body: %v", err)
	}
	if dec.More() {
		return appconfig.Errorf(appconfig.CodeBadRequest, "malformed JSON body: unexpected data after the JSON value")
	}
	return nil
}

// page reads max_results and next_token.
func page(r *http.Request) (appconfig.Page, error) {
	p := appconfig.Page{Limit: 50}
	if s := r.URL.Query().Get("max_results"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			return p, appconfig.Errorf(appconfig.CodeBadRequest, "max_results must be between 1 and 50")
		}
		p.Limit = n
	}
	if s := r.URL.Query().Get("next_token"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		n, err2 := strconv.ParseInt(string(b), 10, 64)
		if err != nil || err2 != nil || n <= 0 {
			return p, appconfig.Errorf(appconfig.CodeBadRequest, "next_token is not valid")
		}
		p.After = n
	}
	return p, nil
}

// items writes a list response {"Items": [...], "NextToken": ...}.
func items[T any](w http.ResponseWriter, list []T, next int64) error {
	if list == nil {
		list = []T{}
	}
	body := map[string]any{"Items": list}
	if next > 0 {
		body["NextToken"] = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(next, 10)))
	}
	return writeJSON(w, http.StatusOK, body)
}

func pathInt(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < 1 {
		return 0, appconfig.Errorf(appconfig.CodeBadRequest, "%s must be a positive integer", name)
	}
	return n, nil
}
