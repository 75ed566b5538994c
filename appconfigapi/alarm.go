package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/auth"
)

// registerAlarms mounts baton's alarm API (admin token): monitors refer to
// these alarms by ARN, and setting one to ALARM rolls back the deployments
// that watch it.
//
//	PUT /baton/v1/alarms/{name}  {"State":"ALARM"|"OK"|"INSUFFICIENT_DATA","Reason":"..."}
//	GET /baton/v1/alarms/{name}
//	GET /baton/v1/alarms
func (a *API) registerAlarms(mux *http.ServeMux) {
	mux.Handle("PUT /baton/v1/alarms/{name}", a.admin(a.putAlarm))
	mux.Handle("GET /baton/v1/alarms/{name}", a.admin(a.getAlarm))
	mux.Handle("GET /baton/v1/alarms", a.admin(a.listAlarms))
}

func (a *API) admin(h handler) http.Handler {
	inner := a.adapt(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Auth == nil || !a.Auth.Valid(auth.FromRequest(r)) {
			w.Header().Set("X-Amzn-ErrorType", "UnauthorizedException")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"Message": "unauthenticated or invalid credentials"})
			return
		}
		inner.ServeHTTP(w, r)
	})
}

func (a *API) putAlarm(w http.ResponseWriter, r *http.Request) error {
	var in struct{ State, Reason string }
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Reason) > 1024 {
		return appconfig.Errorf(appconfig.CodeBadRequest, "Reason must be at most 1024 characters")
	}
	al, err := a.Service.SetAlarm(r.Context(), r.PathValue("name"), in.State, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, al)
}

func (a *API) getAlarm(w http.ResponseWriter, r *http.Request) error {
	al, err := a.Service.Alarm(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, al)
}

func (a *API) listAlarms(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Service.Alarms(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"Alarms": list})
}
