package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerStrategies(aws route) {
	aws("POST /deploymentstrategies", a.createStrategy)
	aws("GET /deploymentstrategies", a.listStrategies)
	aws("GET /deploymentstrategies/{id}", a.getStrategy)
	aws("PATCH /deploymentstrategies/{id}", a.updateStrategy)
	// The delete path is misspelled in AppConfig's API, and clients use it so.
	aws("DELETE /deployementstrategies/{id}", a.deleteStrategy)
}

func (a *API) createStrategy(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		appconfig.DeploymentStrategy
		Tags map[string]string
		// Required members of the model, read apart to tell absent from 0.
		DeploymentDurationInMinutes *int
		GrowthFactor                *float64
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.DeploymentDurationInMinutes == nil || in.GrowthFactor == nil {
		return appconfig.Errorf(appconfig.CodeBadRequest, "DeploymentDurationInMinutes and GrowthFactor are required")
	}
	st := in.DeploymentStrategy
	st.DeploymentDurationInMinutes, st.GrowthFactor = *in.DeploymentDurationInMinutes, *in.GrowthFactor
	if err := a.Service.CreateStrategy(r.Context(), &st, in.Tags); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, st)
}

func (a *API) getStrategy(w http.ResponseWriter, r *http.Request) error {
	st, err := a.Service.Strategy(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (a *API) listStrategies(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Strategies(r.Context(), p)
	if err != nil {
		return err
	}
	return items(w, list, next)
}

func (a *API) updateStrategy(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Description                 *string
		DeploymentDurationInMinutes *int
		FinalBakeTimeInMinutes      *int
		GrowthFactor                *float64
		GrowthType                  *string
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	st, err := a.Service.UpdateStrategy(r.Context(), r.PathValue("id"), appconfig.StrategyUpdate{
		Description: in.Description, DeploymentDurationInMinutes: in.DeploymentDurationInMinutes,
		FinalBakeTimeInMinutes: in.FinalBakeTimeInMinutes, GrowthFactor: in.GrowthFactor, GrowthType: in.GrowthType})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (a *API) deleteStrategy(w http.ResponseWriter, r *http.Request) error {
	if err := a.Service.DeleteStrategy(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
