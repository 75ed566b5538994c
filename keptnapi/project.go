package keptnapi

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/batonhq/baton/keptn"
)

const cp = "/api/controlPlane/v1"

// registerProjects mounts project, stage, service, resource and secret routes.
func (a *API) registerProjects(mux *http.ServeMux) {
	mux.Handle("GET "+cp+"/project", a.authed(a.listProjects))
	mux.Handle("POST "+cp+"/project", a.authed(a.createProject))
	mux.Handle("PUT "+cp+"/project", a.authed(a.updateProject))
	mux.Handle("GET "+cp+"/project/{project}", a.authed(a.getProject))
	mux.Handle("DELETE "+cp+"/project/{project}", a.authed(a.deleteProject))
	mux.Handle("POST "+cp+"/project/{project}/service", a.authed(a.createService))
	mux.Handle("DELETE "+cp+"/project/{project}/service/{service}", a.authed(a.deleteService))
	mux.Handle("GET "+cp+"/project/{project}/stage", a.authed(a.listStages))
	mux.Handle("GET "+cp+"/project/{project}/stage/{stage}", a.authed(a.getStage))
	mux.Handle("GET "+cp+"/project/{project}/stage/{stage}/service", a.authed(a.listServices))
	mux.Handle("GET "+cp+"/project/{project}/stage/{stage}/service/{service}", a.authed(a.getService))
	a.registerResources(mux)
	a.registerSecrets(mux)
}

type eventContext struct {
	EventID      string `json:"eventId"`
	KeptnContext string `json:"keptnContext"`
	Time         string `json:"time"`
}

type expandedService struct {
	ServiceName      string                  `json:"serviceName"`
	CreationDate     string                  `json:"creationDate"`
	DeployedImage    string                  `json:"deployedImage,omitempty"`
	LastEventTypes   map[string]eventContext `json:"lastEventTypes"`
	OpenRemediations []any                   `json:"openRemediations"`
}

type expandedStage struct {
	StageName        string            `json:"stageName"`
	ParentStages     []string          `json:"parentStages"`
	LastEventContext *eventContext     `json:"lastEventContext,omitempty"`
	Services         []expandedService `json:"services"`
}

type expandedProject struct {
	ProjectName               string               `json:"projectName"`
	Shipyard                  string               `json:"shipyard"`
	ShipyardVersion           string               `json:"shipyardVersion"`
	CreationDate              string               `json:"creationDate"`
	LastEventContext          *eventContext        `json:"lastEventContext,omitempty"`
	Stages                    []expandedStage      `json:"stages"`
	GitCredentials            keptn.GitCredentials `json:"gitCredentials"`
	GitRemoteURI              string               `json:"gitRemoteURI,omitempty"`
	GitUser                   string               `json:"gitUser,omitempty"`
	IsUpstreamAutoProvisioned bool                 `json:"isUpstreamAutoProvisioned"`
}

// nanos formats a time as Keptn's materialized view does: Unix nanoseconds as a string.
func nanos(t int64) string { return strconv.FormatInt(t, 10) }

func refJSON(r keptn.EventRef) *eventContext {
	if r.EventID == "" {
		return nil
	}
	return &eventContext{EventID: r.EventID, KeptnContext: r.KeptnContext, Time: nanos(r.Time.UnixNano())}
}

func serviceJSON(s keptn.ServiceState) expandedService {
	out := expandedService{ServiceName: s.Name, CreationDate: nanos(s.Created.UnixNano()), DeployedImage: s.DeployedImage,
		LastEventTypes: map[string]eventContext{}, OpenRemediations: []any{}}
	for t, r := range s.LastEventTypes {
		out.LastEventTypes[t] = *refJSON(r)
	}
	return out
}

func stageJSON(st keptn.ProjectStage) expandedStage {
	out := expandedStage{StageName: st.Name, ParentStages: st.Parents, LastEventContext: refJSON(st.LastEvent), Services: []expandedService{}}
	if out.ParentStages == nil {
		out.ParentStages = []string{}
	}
	for _, s := range st.Services {
		out.Services = append(out.Services, serviceJSON(s))
	}
	return out
}

func projectJSON(p *keptn.Project) expandedProject {
	out := expandedProject{
		ProjectName: p.Name, Shipyard: p.Shipyard, ShipyardVersion: p.ShipyardVersion,
		CreationDate: nanos(p.Created.UnixNano()), LastEventContext: refJSON(p.LastEvent),
		Stages: []expandedStage{}, GitCredentials: p.Git, GitRemoteURI: p.Git.RemoteURL, GitUser: p.Git.User,
	}
	for _, st := range p.Stages {
		out.Stages = append(out.Stages, stageJSON(st))
	}
	return out
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request) error {
	pg, err := parsePage(r, 20, 1000)
	if err != nil {
		return err
	}
	ps, total, err := a.Store.Projects(r.Context(), pg.Offset, pg.Size)
	if err != nil {
		return err
	}
	out := []expandedProject{}
	for _, p := range ps {
		out = append(out, projectJSON(p))
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"projects": out, "nextPageKey": pg.next(len(ps), total), "pageSize": pg.Size, "totalCount": total,
	})
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request) error {
	p, err := a.Store.Project(r.Context(), r.PathValue("project"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, projectJSON(p))
}

func (a *API) createProject(w http.ResponseWriter, r *http.Request) error {
	var in keptn.ProjectInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Projects.Create(r.Context(), &in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (a *API) updateProject(w http.ResponseWriter, r *http.Request) error {
	var in keptn.ProjectInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Projects.Update(r.Context(), &in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (a *API) deleteProject(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	if err := a.Projects.Delete(r.Context(), name); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"message": "project " + name + " deleted"})
}

func (a *API) createService(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ServiceName string `json:"serviceName"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Projects.CreateService(r.Context(), r.PathValue("project"), in.ServiceName); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"message": ""})
}

func (a *API) deleteService(w http.ResponseWriter, r *http.Request) error {
	svc := r.PathValue("service")
	if err := a.Projects.DeleteService(r.Context(), r.PathValue("project"), svc); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"message": "service " + svc + " deleted"})
}

// stageOf loads the project and returns the named stage; CodeNotFound.
func (a *API) stageOf(r *http.Request) (*keptn.ProjectStage, error) {
	p, err := a.Store.Project(r.Context(), r.PathValue("project"))
	if err != nil {
		return nil, err
	}
	name := r.PathValue("stage")
	for i := range p.Stages {
		if p.Stages[i].Name == name {
			return &p.Stages[i], nil
		}
	}
	return nil, keptn.Errorf(keptn.CodeNotFound, "stage %s not found", name)
}

func (a *API) listStages(w http.ResponseWriter, r *http.Request) error {
	pg, err := parsePage(r, 20, 1000)
	if err != nil {
		return err
	}
	p, err := a.Store.Project(r.Context(), r.PathValue("project"))
	if err != nil {
		return err
	}
	out := []expandedStage{}
	for i := pg.Offset; i < len(p.Stages) && len(out) < pg.Size; i++ {
		out = append(out, stageJSON(p.Stages[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"stages": out, "nextPageKey": pg.next(len(out), len(p.Stages)), "pageSize": pg.Size, "totalCount": len(p.Stages),
	})
}

func (a *API) getStage(w http.ResponseWriter, r *http.Request) error {
	st, err := a.stageOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stageJSON(*st))
}

func (a *API) listServices(w http.ResponseWriter, r *http.Request) error {
	pg, err := parsePage(r, 20, 1000)
	if err != nil {
		return err
	}
	st, err := a.stageOf(r)
	if err != nil {
		return err
	}
	out := []expandedService{}
	for i := pg.Offset; i < len(st.Services) && len(out) < pg.Size; i++ {
		out = append(out, serviceJSON(st.Services[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"services": out, "nextPageKey": pg.next(len(out), len(st.Services)), "pageSize": pg.Size, "totalCount": len(st.Services),
	})
}

func (a *API) getService(w http.ResponseWriter, r *http.Request) error {
	st, err := a.stageOf(r)
	if err != nil {
		return err
	}
	name := r.PathValue("service")
	for _, s := range st.Services {
		if s.Name == name {
			return writeJSON(w, http.StatusOK, serviceJSON(s))
		}
	}
	return keptn.Errorf(keptn.CodeNotFound, "service %s not found", name)
}

// b64 encodes resource content as Keptn does.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
