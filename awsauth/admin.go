package awsauth

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
)

// AdminAPI serves baton's own API for managing access keys (used by
// "baton aws-credentials"): GET and POST /api/baton/v1/aws-credentials,
// DELETE /api/baton/v1/aws-credentials/{id}. Callers wrap it with the admin
// token check. Errors are {"code": <status>, "message": ...}.
type AdminAPI struct {
	Keys *Keys
	Log  *slog.Logger
}

// Register mounts the routes on mux, each wrapped by guard.
func (a *AdminAPI) Register(mux *http.ServeMux, guard func(http.Handler) http.Handler) {
	mux.Handle("GET /api/baton/v1/aws-credentials", guard(http.HandlerFunc(a.list)))
	mux.Handle("POST /api/baton/v1/aws-credentials", guard(http.HandlerFunc(a.create)))
	mux.Handle("DELETE /api/baton/v1/aws-credentials/{id}", guard(http.HandlerFunc(a.delete)))
}

func (a *AdminAPI) list(w http.ResponseWriter, r *http.Request) {
	keys, err := a.Keys.List(r.Context())
	if err != nil {
		a.fail(w, http.StatusInternalServerError, "internal error", err)
		return
	}
	if keys == nil {
		keys = []Key{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": keys})
}

func (a *AdminAPI) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Description string `json:"description"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		a.fail(w, http.StatusBadRequest, "body must be a JSON object like {\"description\": \"...\"}", nil)
		return
	}
	key, secret, err := a.Keys.Create(r.Context(), in.Description)
	if err != nil {
		a.fail(w, http.StatusInternalServerError, "internal error", err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"accessKeyId": key.ID, "secretAccessKey": secret, "description": key.Description, "created": key.Created,
	})
}

func (a *AdminAPI) delete(w http.ResponseWriter, r *http.Request) {
	err := a.Keys.Delete(r.Context(), r.PathValue("id"))
	switch {
	case IsUnknown(err):
		a.fail(w, http.StatusNotFound, "no access key "+r.PathValue("id"), nil)
	case err != nil:
		a.fail(w, http.StatusInternalServerError, "internal error", err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *AdminAPI) fail(w http.ResponseWriter, status int, msg string, err error) {
	if err != nil && a.Log != nil {
		a.Log.Error("aws credentials request failed", "err", err)
	}
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
