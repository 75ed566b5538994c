package bridge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/batonhq/baton/keptn"
)

// seqFilter is the filter form of the sequences page.
type seqFilter struct {
	State, Stage, Service, Result, Name, From, Before string
}

type seqRow struct {
	Ctx    keptn.SequenceContext
	Stages []*keptn.SequenceExecution
	// Blockers are the executions holding the slots waiting stages wait for.
	Blockers map[string]*keptn.SequenceExecution // by waiting execution id
}

// Result is the worst result among the context's executions.
func (s seqRow) Result() string {
	res := ""
	for _, e := range s.Stages {
		switch r := e.Scope.Result; {
		case r == keptn.ResultFail:
			return r
		case r == keptn.ResultWarning || res == "":
			res = r
		}
	}
	return res
}

type seqListView struct {
	Project string
	Filter  seqFilter
	Rows    []seqRow
	Pager   pager
	States  []string
	Results []string
}

var sequenceStates = []string{keptn.StateTriggered, keptn.StateWaiting, keptn.StateStarted, keptn.StateWaitingForApproval,
	keptn.StatePaused, keptn.StateFinished, keptn.StateAborted, keptn.StateTimedOut}

// sequenceList is GET /bridge/project/{project}/sequences: the same store
// calls as GET /api/controlPlane/v1/sequence/{project}, two queries a page.
func (b *Bridge) sequenceList(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	q := r.URL.Query()
	fl := seqFilter{State: q.Get("state"), Stage: q.Get("stage"), Service: q.Get("service"), Result: q.Get("result"), Name: q.Get("name"),
		From: q.Get("from"), Before: q.Get("before")}
	pg := newPager(r, 25)
	f := keptn.SequenceFilter{Project: project, Name: fl.Name, State: fl.State, Stage: fl.Stage, Service: fl.Service,
		Result: fl.Result, Offset: pg.Offset, Limit: pg.Size}
	var err error
	if f.FromTime, err = formTime("from", fl.From); err != nil {
		return err
	}
	if f.BeforeTime, err = formTime("before", fl.Before); err != nil {
		return err
	}
	if ok, err := b.cfg.Store.ProjectKnown(r.Context(), project); err != nil {
		return err
	} else if !ok {
		return userErrorf(http.StatusNotFound, "There is no project %q.", project)
	}
	ctxs, total, err := b.cfg.Store.SequenceContexts(r.Context(), f)
	if err != nil {
		return err
	}
	pg.Total = total
	ids := make([]string, len(ctxs))
	for i, c := range ctxs {
		ids[i] = c.KeptnContext
	}
	execs, err := b.cfg.Store.ContextExecutions(r.Context(), ids)
	if err != nil {
		return err
	}
	byCtx := map[string][]*keptn.SequenceExecution{}
	for _, e := range execs {
		byCtx[e.Scope.KeptnContext] = append(byCtx[e.Scope.KeptnContext], e)
	}
	holders, err := b.slotHolders(r, project)
	if err != nil {
		return err
	}
	rows := make([]seqRow, len(ctxs))
	for i, c := range ctxs {
		rows[i] = seqRow{Ctx: c, Stages: byCtx[c.KeptnContext], Blockers: map[string]*keptn.SequenceExecution{}}
		for _, e := range rows[i].Stages {
			if h := holders[slotKey(e)]; h != nil && e.Status.State == keptn.StateWaiting {
				rows[i].Blockers[e.ID] = h
			}
		}
	}
	return b.renderView(w, r, http.StatusOK, "sequences", &view{Title: "Sequences of " + project, Section: "projects",
		Project: project, Data: seqListView{Project: project, Filter: fl, Rows: rows, Pager: pg, States: sequenceStates,
			Results: []string{keptn.ResultPass, keptn.ResultWarning, keptn.ResultFail}}})
}

// formTime parses a time from a filter field: RFC 3339 or the
// datetime-local form "2006-01-02T15:04" (read as UTC).
func formTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, userErrorf(http.StatusBadRequest, "The %s time %q is not a time; write it like 2026-01-31T14:05 (UTC).", field, s)
}

// control is POST /bridge/project/{project}/sequence/{kc}/control.
func (b *Bridge) control(w http.ResponseWriter, r *http.Request) error {
	project, kc := r.PathValue("project"), r.PathValue("kc")
	if err := r.ParseForm(); err != nil {
		return userErrorf(http.StatusBadRequest, "The form could not be read.")
	}
	if b.cfg.Sequences == nil {
		return userErrorf(http.StatusNotFound, "Sequences are not enabled.")
	}
	state, stage := r.PostForm.Get("state"), r.PostForm.Get("stage")
	err := b.cfg.Store.Update(r.Context(), func(tx keptn.Tx) error {
		return b.cfg.Sequences.Control(r.Context(), tx, project, kc, state, stage)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/bridge/project/"+url.PathEscape(project)+"/sequence/"+url.PathEscape(kc)+"?done="+url.QueryEscape(state), http.StatusSeeOther)
	return nil
}

// rawEvent is GET /bridge/project/{project}/event/{id}: one event's JSON.
func (b *Bridge) rawEvent(w http.ResponseWriter, r *http.Request) error {
	project, id := r.PathValue("project"), r.PathValue("id")
	evs, _, err := b.cfg.Store.Events(r.Context(), keptn.EventFilter{EventID: id, Limit: 1})
	if err != nil {
		return err
	}
	if len(evs) == 0 || !inProject(evs[0], project) {
		return userErrorf(http.StatusNotFound, "There is no event %s in project %s.", id, project)
	}
	var ev keptn.Event
	_ = json.Unmarshal(evs[0], &ev)
	return b.renderView(w, r, http.StatusOK, "event", &view{Title: ev.Type, Section: "projects", Project: project,
		Data: map[string]any{"Event": ev, "Raw": evs[0], "Project": project}})
}

func slotKey(e *keptn.SequenceExecution) string { return e.Scope.Stage + "\x00" + e.Scope.Service }

// slotHolders maps stage/service to the execution holding it (one query).
func (b *Bridge) slotHolders(r *http.Request, project string) (map[string]*keptn.SequenceExecution, error) {
	out := map[string]*keptn.SequenceExecution{}
	if b.cfg.Overview == nil {
		return out, nil
	}
	list, err := b.cfg.Overview.SlotHolders(r.Context(), project)
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		out[slotKey(e)] = e
	}
	return out, nil
}

// eventSequence is GET /bridge/event/{id}: it sends the browser to the
// sequence the event belongs to (deliveries link their event this way).
func (b *Bridge) eventSequence(w http.ResponseWriter, r *http.Request) error {
	evs, _, err := b.cfg.Store.Events(r.Context(), keptn.EventFilter{EventID: r.PathValue("id"), Limit: 1})
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return userErrorf(http.StatusNotFound, "There is no event %s (its project may have been deleted).", r.PathValue("id"))
	}
	var ev keptn.Event
	if err := json.Unmarshal(evs[0], &ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	project, _, _ := ev.Scope()
	http.Redirect(w, r, "/bridge/project/"+url.PathEscape(project)+"/sequence/"+url.PathEscape(ev.Shkeptncontext), http.StatusSeeOther)
	return nil
}
