package bridge

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/webhook"
)

// maxTimelineEvents bounds the events one detail page loads.
const maxTimelineEvents = 1000

type eventRow struct {
	ID, Type, Phase, Source, Status, Result, Message string
	Time                                             time.Time
}

type taskRow struct {
	Name       string
	Triggered  eventRow
	Events     []eventRow // started, status.changed, finished
	Deliveries []outbox.Record
	Ended      time.Time
}

// Duration is from .triggered to .finished (or zero while it runs).
func (t *taskRow) Duration() time.Duration {
	if t.Ended.IsZero() {
		return 0
	}
	return t.Ended.Sub(t.Triggered.Time)
}

// Last is the newest correlated event (or the .triggered one).
func (t *taskRow) Last() eventRow {
	if len(t.Events) == 0 {
		return t.Triggered
	}
	return t.Events[len(t.Events)-1]
}

type stageRow struct {
	Stage     string
	Exec      *keptn.SequenceExecution
	Tasks     []*taskRow
	Sequence  []eventRow // the stage's sequence events
	BlockedBy *keptn.SequenceExecution
}

type seqDetailView struct {
	Project, KeptnContext string
	Name, Service         string
	Stages                []*stageRow
	Truncated             bool
	Running               bool
}

// sequenceDetail is GET /bridge/project/{project}/sequence/{kc}: a timeline
// per stage and task, with webhook deliveries inline. Its live region
// updates while the sequence runs. Queries: executions, events, deliveries
// with attempts, and the project's slot holders (what waiting stages wait for).
func (b *Bridge) sequenceDetail(w http.ResponseWriter, r *http.Request) error {
	project, kc := r.PathValue("project"), r.PathValue("kc")
	execs, err := b.cfg.Store.ContextExecutions(r.Context(), []string{kc})
	if err != nil {
		return err
	}
	execs = slices.DeleteFunc(execs, func(e *keptn.SequenceExecution) bool { return e.Scope.Project != project })
	// By context only: a project filter would lead SQLite to walk the
	// project's whole history in time order.
	raw, total, err := b.cfg.Store.Events(r.Context(), keptn.EventFilter{KeptnContext: []string{kc}, Limit: maxTimelineEvents})
	if err != nil {
		return err
	}
	raw = slices.DeleteFunc(raw, func(body json.RawMessage) bool { return !inProject(body, project) })
	if len(execs) == 0 && len(raw) == 0 {
		return userErrorf(http.StatusNotFound, "Project %s has no sequence with keptnContext %s.", project, kc)
	}
	v := &seqDetailView{Project: project, KeptnContext: kc, Truncated: total > len(raw)}
	stages, tasks := v.build(execs, raw)
	if err := b.attachDeliveries(r, tasks); err != nil {
		return err
	}
	holders, err := b.slotHolders(r, project)
	if err != nil {
		return err
	}
	for _, st := range stages {
		if st.Exec != nil && st.Exec.Status.State == keptn.StateWaiting {
			st.BlockedBy = holders[slotKey(st.Exec)]
		}
	}
	title := v.Name
	if title == "" {
		title = "Sequence"
	}
	return b.renderView(w, r, http.StatusOK, "sequence", &view{Title: title + " · " + project, Section: "projects", Project: project, Data: v})
}

// build lays events (newest first) out per stage and task.
func (v *seqDetailView) build(execs []*keptn.SequenceExecution, raw []json.RawMessage) ([]*stageRow, map[string]*taskRow) {
	byStage := map[string]*stageRow{}
	stage := func(name string) *stageRow {
		if st, ok := byStage[name]; ok {
			return st
		}
		st := &stageRow{Stage: name}
		byStage[name] = st
		v.Stages = append(v.Stages, st)
		return st
	}
	for _, e := range execs {
		stage(e.Scope.Stage).Exec = e
		if v.Name == "" {
			v.Name, v.Service = e.Sequence.Name, e.Scope.Service
		}
		if !e.Ended() {
			v.Running = true
		}
	}
	tasks := map[string]*taskRow{}
	for i := len(raw) - 1; i >= 0; i-- {
		var ev keptn.Event
		if json.Unmarshal(raw[i], &ev) != nil {
			continue
		}
		d, _ := ev.ParsedData()
		row := eventRow{ID: ev.ID, Type: ev.Type, Source: ev.Source, Status: d.Status, Result: d.Result, Message: d.Message}
		row.Time, _ = time.Parse(time.RFC3339Nano, ev.Time)
		t := keptn.ParseType(ev.Type)
		row.Phase = t.Phase
		switch {
		case t.Kind == keptn.KindSequence:
			st := stage(t.Stage)
			st.Sequence = append(st.Sequence, row)
			if v.Name == "" {
				v.Name, v.Service = t.Sequence, d.Service
			}
		case t.Kind == keptn.KindTask && t.Phase == "triggered":
			tr := &taskRow{Name: t.Task, Triggered: row}
			tasks[ev.ID] = tr
			st := stage(d.Stage)
			st.Tasks = append(st.Tasks, tr)
		case t.Kind == keptn.KindTask || t.Kind == keptn.KindStatus:
			if tr := tasks[ev.TriggeredID]; tr != nil {
				if t.Kind == keptn.KindStatus {
					row.Phase = "status.changed"
				}
				tr.Events = append(tr.Events, row)
				if t.Phase == "finished" {
					tr.Ended = row.Time
				}
			}
		}
	}
	return v.Stages, tasks
}

// attachDeliveries puts each task's webhook calls beside it (one query for
// the items, one for their attempts).
func (b *Bridge) attachDeliveries(r *http.Request, tasks map[string]*taskRow) error {
	if b.cfg.Lookup == nil || len(tasks) == 0 {
		return nil
	}
	ids := make([]string, 0, len(tasks))
	for id := range tasks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	recs, err := b.cfg.Lookup.ByKeyPrefix(r.Context(), webhook.Kind, ids, 500)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		i := strings.LastIndex(rec.Key, "-")
		if i < 0 {
			continue
		}
		if tr := tasks[rec.Key[:i]]; tr != nil {
			tr.Deliveries = append(tr.Deliveries, rec)
		}
	}
	return nil
}

// inProject reports whether an event's data names project.
func inProject(body json.RawMessage, project string) bool {
	var ev struct {
		Data struct {
			Project string `json:"project"`
		} `json:"data"`
	}
	return json.Unmarshal(body, &ev) == nil && ev.Data.Project == project
}
