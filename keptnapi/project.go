package keptnapi

import "net/http"

// registerProjects mounts project, stage, service, resource and secret routes.
// (Filled in by the project API.)
func (a *API) registerProjects(mux *http.ServeMux) {}
