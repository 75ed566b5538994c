package bridge

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/webhook"
)

type integrationsView struct {
	Integrations []keptn.Integration
	Secrets      []keptn.SecretMeta
}

// integrations is GET /bridge/integrations: uniform registrations with
// last-seen time and subscriptions, and secrets by name and scope (never
// their values).
func (b *Bridge) integrations(w http.ResponseWriter, r *http.Request) error {
	ins, err := b.cfg.Store.Integrations(r.Context(), keptn.IntegrationFilter{})
	if err != nil {
		return err
	}
	secrets, err := b.cfg.Store.Secrets(r.Context(), "", "")
	if err != nil {
		return err
	}
	return b.renderView(w, r, http.StatusOK, "integrations", &view{Title: "Integrations", Section: "integrations",
		Data: integrationsView{Integrations: ins, Secrets: secrets}})
}

type webhookConfig struct {
	Level   string
	Content string
	Updated time.Time
}

type settingsView struct {
	Project  *keptn.Project
	Webhooks []webhookConfig
}

// settings is GET /bridge/project/{project}/settings: the shipyard and the
// webhook configurations at project, stage and service level (one query).
func (b *Bridge) settings(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	p, err := b.cfg.Store.Project(r.Context(), name)
	if err != nil {
		return err
	}
	v := settingsView{Project: p}
	if b.cfg.Overview != nil {
		levels, err := b.cfg.Overview.ResourceLevels(r.Context(), name, webhook.ConfigURI)
		if err != nil {
			return err
		}
		for _, res := range levels {
			level := "project"
			switch {
			case res.Service != "":
				level = "stage " + res.Stage + ", service " + res.Service
			case res.Stage != "":
				level = "stage " + res.Stage
			}
			v.Webhooks = append(v.Webhooks, webhookConfig{Level: level, Content: string(res.Content), Updated: res.Updated})
		}
	}
	return b.renderView(w, r, http.StatusOK, "settings", &view{Title: "Settings · " + name, Section: "projects", Project: name, Data: v})
}

// evaluation is one evaluation.finished event, as the heatmap needs it.
type evaluation struct {
	ID, Stage, Service, Result, KeptnContext string
	Time                                     time.Time
	Score                                    float64
	Indicators                               map[string]*lighthouse.IndicatorResult // by metric
}

type evaluationsView struct {
	Project     string
	Evaluations []evaluation
	Metrics     []string
}

// evaluations is GET /bridge/project/{project}/evaluations: a heatmap of
// SLI results over the newest 30 evaluations per stage (one query per stage).
func (b *Bridge) evaluations(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	p, err := b.cfg.Store.Project(r.Context(), name)
	if err != nil {
		return err
	}
	v := evaluationsView{Project: name}
	seen := map[string]bool{}
	for _, st := range p.Stages {
		f := keptn.TypeFilter{Type: keptn.TaskType("evaluation", "finished"), Project: []string{name}, Stage: []string{st.Name}, Limit: 30}
		if svc := r.URL.Query().Get("service"); svc != "" {
			f.Service = []string{svc}
		}
		raw, err := b.cfg.Store.EventsByType(r.Context(), f)
		if err != nil {
			return err
		}
		slices.Reverse(raw) // newest first from the store; oldest first here
		for _, body := range raw {
			e, ok := parseEvaluation(body)
			if !ok {
				continue
			}
			for m := range e.Indicators {
				if !seen[m] {
					seen[m] = true
					v.Metrics = append(v.Metrics, m)
				}
			}
			v.Evaluations = append(v.Evaluations, e)
		}
	}
	slices.SortStableFunc(v.Evaluations, func(a, b evaluation) int { return a.Time.Compare(b.Time) }) // oldest left
	return b.renderView(w, r, http.StatusOK, "evaluations", &view{Title: "Evaluations · " + name, Section: "projects", Project: name, Data: v})
}

// parseEvaluation reads an evaluation.finished event with the quality-gate
// engine's own types (Keptn's lighthouse format).
func parseEvaluation(body []byte) (evaluation, bool) {
	var ev struct {
		keptn.Event
		Data lighthouse.FinishedData `json:"data"`
	}
	if json.Unmarshal(body, &ev) != nil {
		return evaluation{}, false
	}
	d := ev.Data
	e := evaluation{ID: ev.ID, Stage: d.Stage, Service: d.Service, Result: d.Result, KeptnContext: ev.Shkeptncontext,
		Score: d.Evaluation.Score, Indicators: map[string]*lighthouse.IndicatorResult{}}
	if e.Result == "" {
		e.Result = d.Evaluation.Result
	}
	e.Time, _ = time.Parse(time.RFC3339Nano, ev.Time)
	for _, in := range d.Evaluation.IndicatorResults {
		if in != nil && in.Value != nil {
			e.Indicators[in.Value.Metric] = in
		}
	}
	return e, true
}
