package client

import (
	"context"
	"encoding/json"
	"net/url"
)

// EvaluationParams is the body of POST …/evaluation (Keptn's).
type EvaluationParams struct {
	Start       string            `json:"start,omitempty"`
	End         string            `json:"end,omitempty"`
	Timeframe   string            `json:"timeframe,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	GitCommitID string            `json:"gitcommitid,omitempty"`
}

// TriggerEvaluation starts the evaluation sequence of a service in a stage
// and returns its keptnContext.
func (c *Client) TriggerEvaluation(ctx context.Context, project, stage, service string, p EvaluationParams) (string, error) {
	var out struct {
		KeptnContext string `json:"keptnContext"`
	}
	path := "/api/controlPlane/v1/project/" + url.PathEscape(project) + "/stage/" + url.PathEscape(stage) +
		"/service/" + url.PathEscape(service) + "/evaluation"
	err := c.Do(ctx, "POST", path, p, &out)
	return out.KeptnContext, err
}

// Monitoring is a project's monitoring configuration.
type Monitoring struct {
	Project     string `json:"project"`
	Service     string `json:"service,omitempty"`
	SLIProvider string `json:"sliProvider"`
}

// Monitoring returns a project's SLI provider.
func (c *Client) Monitoring(ctx context.Context, project string) (Monitoring, error) {
	var m Monitoring
	err := c.Do(ctx, "GET", "/api/controlPlane/v1/project/"+url.PathEscape(project)+"/monitoring", nil, &m)
	return m, err
}

// ConfigureMonitoring sets a project's SLI provider (keptn configure monitoring).
func (c *Client) ConfigureMonitoring(ctx context.Context, project, service, provider string) error {
	return c.Do(ctx, "PUT", "/api/controlPlane/v1/project/"+url.PathEscape(project)+"/monitoring",
		Monitoring{Project: project, Service: service, SLIProvider: provider}, nil)
}

// EvaluationResult is the part of an evaluation.finished event the CLI shows.
type EvaluationResult struct {
	ID             string `json:"id"`
	Time           string `json:"time"`
	Shkeptncontext string `json:"shkeptncontext"`
	Data           struct {
		Stage      string `json:"stage"`
		Service    string `json:"service"`
		Result     string `json:"result"`
		Status     string `json:"status"`
		Message    string `json:"message"`
		Evaluation struct {
			Result           string  `json:"result"`
			Score            float64 `json:"score"`
			TimeStart        string  `json:"timeStart"`
			TimeEnd          string  `json:"timeEnd"`
			IndicatorResults []struct {
				Score       float64 `json:"score"`
				Status      string  `json:"status"`
				DisplayName string  `json:"displayName"`
				KeySLI      bool    `json:"keySli"`
				Value       struct {
					Metric        string  `json:"metric"`
					Value         float64 `json:"value"`
					ComparedValue float64 `json:"comparedValue"`
					Success       bool    `json:"success"`
					Message       string  `json:"message"`
				} `json:"value"`
			} `json:"indicatorResults"`
		} `json:"evaluation"`
	} `json:"data"`
}

// Evaluations lists evaluation.finished events matching filter (datastore
// query parameters such as project, stage, service, keptnContext), newest first.
func (c *Client) Evaluations(ctx context.Context, filter url.Values) ([]EvaluationResult, error) {
	f := url.Values{}
	for k, v := range filter {
		f[k] = v
	}
	f.Set("type", "sh.keptn.event.evaluation.finished")
	page, err := c.Events(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]EvaluationResult, 0, len(page.Events))
	for _, raw := range page.Events {
		var r EvaluationResult
		if json.Unmarshal(raw, &r) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}
