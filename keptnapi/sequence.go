package keptnapi

import (
	"net/http"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// registerSequences mounts the sequence routes of shipyard-controller.
func (a *API) registerSequences(mux *http.ServeMux) {
	if a.Sequences == nil {
		return
	}
	mux.Handle("POST /api/controlPlane/v1/sequence/{project}/{keptnContext}/control", a.authed(a.controlSequence))
	mux.Handle("GET /api/controlPlane/v1/sequence/{project}", a.authed(a.getSequenceStates))
	mux.Handle("GET /api/controlPlane/v1/sequence-execution", a.authed(a.getSequenceExecutions))
	mux.Handle("GET /api/controlPlane/v1/event/triggered/{eventType}", a.authed(a.getOpenTriggered))
}

// controlSequence is POST /sequence/{project}/{keptnContext}/control with
// {"state":"pause|resume|abort","stage":"<optional>"}.
func (a *API) controlSequence(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		State string `json:"state"`
		Stage string `json:"stage"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	project, kc := r.PathValue("project"), r.PathValue("keptnContext")
	err := a.Store.Update(r.Context(), func(tx keptn.Tx) error {
		return a.Sequences.Control(r.Context(), tx, project, kc, body.State, body.Stage)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// sequenceState is Keptn's SequenceState (go-utils models/state.go).
type sequenceState struct {
	Name           string       `json:"name"`
	Service        string       `json:"service"`
	Project        string       `json:"project"`
	Time           string       `json:"time"`
	Shkeptncontext string       `json:"shkeptncontext"`
	State          string       `json:"state"`
	ProblemTitle   string       `json:"problemTitle,omitempty"`
	Stages         []stageState `json:"stages"`
	sequenceOutcome
}

type stageState struct {
	Name              string                  `json:"name"`
	Image             string                  `json:"image,omitempty"`
	State             string                  `json:"state"`
	LatestEvaluation  *keptn.EvalBrief        `json:"latestEvaluation,omitempty"`
	LatestEvent       *keptn.SequenceEventRef `json:"latestEvent,omitempty"`
	LatestFailedEvent *keptn.SequenceEventRef `json:"latestFailedEvent,omitempty"`
	sequenceOutcome
}

// getSequenceStates is GET /sequence/{project}?name&state&fromTime&beforeTime&keptnContext&pageSize&nextPageKey.
func (a *API) getSequenceStates(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := parsePage(r, 20, 100)
	if err != nil {
		return err
	}
	f := keptn.SequenceFilter{Project: r.PathValue("project"), Name: q.Get("name"), State: q.Get("state"),
		Offset: pg.Offset, Limit: pg.Size}
	if kc := q.Get("keptnContext"); kc != "" {
		f.KeptnContext = strings.Split(kc, ",")
	}
	if f.FromTime, err = parseTime("fromTime", q.Get("fromTime")); err != nil {
		return err
	}
	if f.BeforeTime, err = parseTime("beforeTime", q.Get("beforeTime")); err != nil {
		return err
	}
	if ok, err := a.Store.ProjectKnown(r.Context(), f.Project); err != nil {
		return err
	} else if !ok {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", f.Project)
	}
	ctxs, total, err := a.Store.SequenceContexts(r.Context(), f)
	if err != nil {
		return err
	}
	ids := make([]string, len(ctxs))
	for i, c := range ctxs {
		ids[i] = c.KeptnContext
	}
	execs, err := a.Store.ContextExecutions(r.Context(), ids)
	if err != nil {
		return err
	}
	byCtx := map[string][]stageState{}
	for _, e := range execs {
		byCtx[e.Scope.KeptnContext] = append(byCtx[e.Scope.KeptnContext], stageState{
			Name: e.Scope.Stage, Image: e.Baton.Image, State: e.Status.State,
			LatestEvaluation: e.Baton.LatestEvaluation, LatestEvent: e.Baton.LatestEvent, LatestFailedEvent: e.Baton.LatestFailedEvent,
			sequenceOutcome: outcome(e),
		})
	}
	states := make([]sequenceState, len(ctxs))
	for i, c := range ctxs {
		states[i] = sequenceState{Name: c.Name, Service: c.Service, Project: c.Project, Time: keptn.FormatTime(c.Time),
			Shkeptncontext: c.KeptnContext, State: c.State, Stages: byCtx[c.KeptnContext]}
		if states[i].Stages == nil {
			states[i].Stages = []stageState{}
		}
		states[i].sequenceOutcome = contextOutcome(c.State, states[i].Stages)
	}
	return writeJSON(w, http.StatusOK, struct {
		States []sequenceState `json:"states"`
		intPage
	}{states, intPage{pg.nextInt(len(states), total), int64(pg.Size), int64(total)}})
}

// getSequenceExecutions is GET /sequence-execution?project&stage&service&name&status&keptnContext&pageSize&nextPageKey.
func (a *API) getSequenceExecutions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := parsePage(r, 20, 100)
	if err != nil {
		return err
	}
	f := keptn.ExecutionFilter{Project: q.Get("project"), Stage: q.Get("stage"), Service: q.Get("service"),
		Name: q.Get("name"), State: q.Get("status"), KeptnContext: q.Get("keptnContext"), Offset: pg.Offset, Limit: pg.Size}
	execs, total, err := a.Store.Executions(r.Context(), f)
	if err != nil {
		return err
	}
	if execs == nil {
		execs = []*keptn.SequenceExecution{}
	}
	// pageSize is the size of the page returned, as in Keptn's
	// mongodb_sequence_execution_repo.go.
	return writeJSON(w, http.StatusOK, struct {
		SequenceExecutions []*keptn.SequenceExecution `json:"sequenceExecutions"`
		intPage
	}{execs, intPage{pg.nextInt(len(execs), total), int64(len(execs)), int64(total)}})
}
