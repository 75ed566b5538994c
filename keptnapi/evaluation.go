package keptnapi

import (
	"net/http"

	"github.com/batonhq/baton/lighthouse"
)

// registerEvaluations mounts Keptn's evaluation trigger and baton's view of
// a project's SLI provider (Keptn kept it in a ConfigMap).
func (a *API) registerEvaluations(mux *http.ServeMux) {
	if a.Evaluations == nil {
		return
	}
	mux.Handle("POST "+cp+"/project/{project}/stage/{stage}/service/{service}/evaluation", a.authed(a.triggerEvaluation))
	mux.Handle("GET "+cp+"/project/{project}/monitoring", a.authed(a.getMonitoring))
	mux.Handle("PUT "+cp+"/project/{project}/monitoring", a.authed(a.putMonitoring))
	mux.Handle("DELETE "+cp+"/project/{project}/monitoring", a.authed(a.deleteMonitoring))
}

func (a *API) triggerEvaluation(w http.ResponseWriter, r *http.Request) error {
	var p lighthouse.TriggerParams
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	kc, err := a.Evaluations.Trigger(r.Context(), r.PathValue("project"), r.PathValue("stage"), r.PathValue("service"), p)
	if err != nil {
		return err
	}
	return writeContextReply(w, kc)
}

// monitoringJSON is a project's monitoring configuration.
type monitoringJSON struct {
	Project     string `json:"project"`
	Service     string `json:"service,omitempty"`
	SLIProvider string `json:"sliProvider"`
}

func (a *API) getMonitoring(w http.ResponseWriter, r *http.Request) error {
	p := r.PathValue("project")
	prov, err := a.Evaluations.Provider(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, monitoringJSON{Project: p, SLIProvider: prov})
}

func (a *API) putMonitoring(w http.ResponseWriter, r *http.Request) error {
	var body monitoringJSON
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	p := r.PathValue("project")
	if err := a.Evaluations.Configure(r.Context(), p, body.Service, body.SLIProvider); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, monitoringJSON{Project: p, SLIProvider: body.SLIProvider})
}

func (a *API) deleteMonitoring(w http.ResponseWriter, r *http.Request) error {
	p := r.PathValue("project")
	if err := a.Evaluations.ClearProvider(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, monitoringJSON{Project: p})
}
