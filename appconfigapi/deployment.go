package appconfigapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerDeployments(aws route) {
	const base = "/applications/{app}/environments/{env}/deployments"
	aws("POST "+base, a.startDeployment)
	aws("GET "+base, a.listDeployments)
	aws("GET "+base+"/{n}", a.getDeployment)
	aws("DELETE "+base+"/{n}", a.stopDeployment)
}

func (a *API) startDeployment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DeploymentStrategyID       string `json:"DeploymentStrategyId"`
		ConfigurationProfileID     string `json:"ConfigurationProfileId"`
		ConfigurationVersion       string
		Description                string
		KmsKeyIdentifier           string
		Tags                       map[string]string
		DynamicExtensionParameters map[string]string
		LatestDeploymentNumber     *int
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	d, err := a.Service.StartDeployment(r.Context(), appconfig.StartInput{
		Application: r.PathValue("app"), Environment: r.PathValue("env"), StrategyID: in.DeploymentStrategyID,
		ProfileID: in.ConfigurationProfileID, ConfigurationVersion: in.ConfigurationVersion, Description: in.Description,
		KmsKeyIdentifier: in.KmsKeyIdentifier, Tags: in.Tags, DynamicParameters: in.DynamicExtensionParameters,
		LatestDeploymentNumber: in.LatestDeploymentNumber})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (a *API) getDeployment(w http.ResponseWriter, r *http.Request) error {
	n, err := pathInt(r, "n")
	if err != nil {
		return err
	}
	d, err := a.Service.Deployment(r.Context(), r.PathValue("app"), r.PathValue("env"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// deploymentSummary is the DeploymentSummary shape.
type deploymentSummary struct {
	DeploymentNumber            int        `json:"DeploymentNumber"`
	ConfigurationName           string     `json:"ConfigurationName"`
	ConfigurationVersion        string     `json:"ConfigurationVersion"`
	DeploymentDurationInMinutes int        `json:"DeploymentDurationInMinutes"`
	GrowthType                  string     `json:"GrowthType"`
	GrowthFactor                float64    `json:"GrowthFactor"`
	FinalBakeTimeInMinutes      int        `json:"FinalBakeTimeInMinutes"`
	State                       string     `json:"State"`
	PercentageComplete          float64    `json:"PercentageComplete"`
	StartedAt                   time.Time  `json:"StartedAt"`
	CompletedAt                 *time.Time `json:"CompletedAt,omitempty"`
	VersionLabel                string     `json:"VersionLabel,omitempty"`
}

func (a *API) listDeployments(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	list, next, err := a.Service.Deployments(r.Context(), r.PathValue("app"), r.PathValue("env"), p)
	if err != nil {
		return err
	}
	out := make([]deploymentSummary, 0, len(list))
	for _, d := range list {
		out = append(out, deploymentSummary{DeploymentNumber: d.DeploymentNumber, ConfigurationName: d.ConfigurationName,
			ConfigurationVersion: d.ConfigurationVersion, DeploymentDurationInMinutes: d.DeploymentDurationInMinutes,
			GrowthType: d.GrowthType, GrowthFactor: d.GrowthFactor, FinalBakeTimeInMinutes: d.FinalBakeTimeInMinutes,
			State: d.State, PercentageComplete: d.PercentageComplete, StartedAt: d.StartedAt, CompletedAt: d.CompletedAt,
			VersionLabel: d.VersionLabel})
	}
	return items(w, out, next)
}

// stopDeployment rolls an active deployment back, or reverts a completed
// one when the Allow-Revert header is true; 202 with the deployment.
func (a *API) stopDeployment(w http.ResponseWriter, r *http.Request) error {
	n, err := pathInt(r, "n")
	if err != nil {
		return err
	}
	revert := strings.EqualFold(r.Header.Get("Allow-Revert"), "true")
	d, err := a.Service.StopDeployment(r.Context(), r.PathValue("app"), r.PathValue("env"), n, revert)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}
