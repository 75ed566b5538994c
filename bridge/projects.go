package bridge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/batonhq/baton/keptn"
)

type projectsView struct {
	Projects []*keptn.Project
	Pager    pager
}

// projectList is GET /bridge/: every project, a page at a time.
func (b *Bridge) projectList(w http.ResponseWriter, r *http.Request) error {
	pg := newPager(r, 50)
	list, total, err := b.cfg.Store.Projects(r.Context(), pg.Offset, pg.Size)
	if err != nil {
		return err
	}
	pg.Total = total
	return b.renderView(w, r, http.StatusOK, "projects", &view{Title: "Projects", Section: "projects",
		Data: projectsView{Projects: list, Pager: pg}})
}

// envView is a project's environment: stages × services.
type envView struct {
	Project   *keptn.Project
	Stages    []string
	Services  []string
	Cells     map[string]map[string]*keptn.SequenceExecution // stage → service → latest execution
	Approvals []approvalView
	// Sequences are the sequence names per stage, for the trigger form.
	Sequences map[string][]string
	AllSeqs   []string
}

type approvalView struct {
	ID, Stage, Service, KeptnContext, Time string
	Result                                 string // result of the task before the approval
}

// environment is GET /bridge/project/{project}.
func (b *Bridge) environment(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	p, err := b.cfg.Store.Project(r.Context(), name)
	if err != nil {
		return err
	}
	v := envView{Project: p, Cells: map[string]map[string]*keptn.SequenceExecution{}, Sequences: map[string][]string{}}
	svcs := map[string]bool{}
	for _, st := range p.Stages {
		v.Stages = append(v.Stages, st.Name)
		v.Cells[st.Name] = map[string]*keptn.SequenceExecution{}
		for _, s := range st.Services {
			svcs[s.Name] = true
		}
	}
	for s := range svcs {
		v.Services = append(v.Services, s)
	}
	sort.Strings(v.Services)
	if b.cfg.Overview != nil {
		latest, err := b.cfg.Overview.LatestExecutions(r.Context(), name)
		if err != nil {
			return err
		}
		for _, e := range latest {
			if row := v.Cells[e.Scope.Stage]; row != nil {
				row[e.Scope.Service] = e
			}
		}
	}
	if v.Approvals, err = b.approvals(r, name); err != nil {
		return err
	}
	if sy, err := b.cfg.Store.ProjectShipyard(r.Context(), name); err == nil {
		seen := map[string]bool{}
		for _, st := range sy.Spec.Stages {
			for _, s := range st.Sequences {
				v.Sequences[st.Name] = append(v.Sequences[st.Name], s.Name)
				if !seen[s.Name] {
					seen[s.Name] = true
					v.AllSeqs = append(v.AllSeqs, s.Name)
				}
			}
		}
	}
	return b.renderView(w, r, http.StatusOK, "environment", &view{Title: name, Section: "projects", Project: name, Data: v})
}

const approvalTriggered = "sh.keptn.event.approval.triggered"

// approvals lists the project's open manual approvals (at most 100).
func (b *Bridge) approvals(r *http.Request, project string) ([]approvalView, error) {
	raw, _, err := b.cfg.Store.OpenEvents(r.Context(), keptn.OpenEventFilter{
		Type: approvalTriggered, Project: project, Now: b.cfg.Clock.Now(), Limit: 100})
	if err != nil {
		return nil, err
	}
	out := make([]approvalView, 0, len(raw))
	for _, body := range raw {
		var ev keptn.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			return nil, fmt.Errorf("decode approval: %w", err)
		}
		d, _ := ev.ParsedData()
		out = append(out, approvalView{ID: ev.ID, Stage: d.Stage, Service: d.Service, KeptnContext: ev.Shkeptncontext,
			Time: ev.Time, Result: d.Result})
	}
	return out, nil
}

// trigger is POST /bridge/project/{project}/trigger: stage, sequence,
// service and optional JSON data, sent as sh.keptn.event.<stage>.<sequence>.triggered.
func (b *Bridge) trigger(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if err := r.ParseForm(); err != nil {
		return userErrorf(http.StatusBadRequest, "The form could not be read.")
	}
	f := r.PostForm
	stage, seq, service := strings.TrimSpace(f.Get("stage")), strings.TrimSpace(f.Get("sequence")), strings.TrimSpace(f.Get("service"))
	if stage == "" || seq == "" || service == "" {
		return userErrorf(http.StatusBadRequest, "Choose a stage, a sequence and a service to trigger.")
	}
	data := map[string]any{}
	if raw := strings.TrimSpace(f.Get("data")); raw != "" {
		if err := json.Unmarshal([]byte(raw), &data); err != nil || data == nil {
			return userErrorf(http.StatusBadRequest, "The data must be a JSON object, like {\"configurationChange\": {\"values\": {\"image\": \"app:1.2\"}}}.")
		}
	}
	data["project"], data["stage"], data["service"] = project, stage, service
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	kc, err := b.cfg.Events.Ingest(r.Context(), &keptn.Event{
		Type: keptn.SequenceType(stage, seq, "triggered"), Source: "https://github.com/batonhq/baton/bridge", Data: body})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/bridge/project/"+url.PathEscape(project)+"/sequence/"+url.PathEscape(kc)+"?done=triggered", http.StatusSeeOther)
	return nil
}

// approval is POST /bridge/project/{project}/approval/{id} with decision
// approve or decline: it answers the open approval.triggered event with
// approval.finished (pass or fail), saying in the message who acted and when.
func (b *Bridge) approval(w http.ResponseWriter, r *http.Request) error {
	project, id := r.PathValue("project"), r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		return userErrorf(http.StatusBadRequest, "The form could not be read.")
	}
	decision := r.PostForm.Get("decision")
	result, done := keptn.ResultPass, "approved"
	switch decision {
	case "approve":
	case "decline":
		result, done = keptn.ResultFail, "declined"
	default:
		return userErrorf(http.StatusBadRequest, "Choose Approve or Decline.")
	}
	raw, _, err := b.cfg.Store.OpenEvents(r.Context(), keptn.OpenEventFilter{
		Type: approvalTriggered, Project: project, EventID: id, Now: b.cfg.Clock.Now(), Limit: 1})
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return userErrorf(http.StatusConflict, "This approval is no longer open: someone answered it or its sequence ended.")
	}
	var trig keptn.Event
	if err := json.Unmarshal(raw[0], &trig); err != nil {
		return fmt.Errorf("decode approval: %w", err)
	}
	d, _ := trig.ParsedData()
	now := b.cfg.Clock.Now()
	data, _ := json.Marshal(keptn.EventData{Project: project, Stage: d.Stage, Service: d.Service, Labels: d.Labels,
		Status: keptn.StatusSucceeded, Result: result,
		Message: fmt.Sprintf("%s in the baton Bridge by the admin-token session at %s", strings.ToUpper(done[:1])+done[1:], now.UTC().Format(keptn.TimeFormat))})
	_, err = b.cfg.Events.Ingest(r.Context(), &keptn.Event{Type: keptn.TaskType("approval", "finished"),
		Source: "https://github.com/batonhq/baton/bridge", Shkeptncontext: trig.Shkeptncontext, TriggeredID: trig.ID, Data: data})
	if err != nil {
		return err
	}
	back := "/bridge/project/" + url.PathEscape(project)
	if ref := r.PostForm.Get("back"); ref != "" && safeNext(ref) == ref && !strings.Contains(ref, "?") {
		back = ref
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	return nil
}
