package oneplane

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
)

// EventPrefix starts the types of the deployment lifecycle events.
const EventPrefix = "sh.baton.appconfig.deployment."

// Phases of a deployment, the last part of its event types.
const (
	PhaseStarted    = "started"
	PhaseProgressed = "progressed"
	PhaseBaking     = "baking"
	PhaseCompleted  = "completed"
	PhaseRolledBack = "rolledback"
	PhaseReverted   = "reverted"
)

// phaseOf maps a deployment event log entry to its phase, or "".
func phaseOf(eventType string) string {
	switch eventType {
	case appconfig.EventDeploymentStarted:
		return PhaseStarted
	case appconfig.EventPercentageUpdated:
		return PhaseProgressed
	case appconfig.EventBakeTimeStarted:
		return PhaseBaking
	case appconfig.EventDeploymentComplete:
		return PhaseCompleted
	case appconfig.EventRollbackCompleted:
		return PhaseRolledBack
	case appconfig.EventRevertCompleted:
		return PhaseReverted
	}
	return ""
}

// Ref names an application, environment or configuration profile.
type Ref struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// Facts are data.appconfig of a lifecycle event: the facts of the SQS
// extension message plus the deployment's state and percentage.
type Facts struct {
	Application          Ref     `json:"Application"`
	Environment          Ref     `json:"Environment"`
	ConfigurationProfile Ref     `json:"ConfigurationProfile"`
	Description          *string `json:"Description"`
	DeploymentNumber     string  `json:"DeploymentNumber"`
	ConfigurationVersion string  `json:"ConfigurationVersion"`
	Type                 string  `json:"Type"`
	State                string  `json:"State"`
	PercentageComplete   float64 `json:"PercentageComplete"`
	EventType            string  `json:"EventType"`
	TriggeredBy          string  `json:"TriggeredBy"`
	EventDescription     string  `json:"EventDescription"`
	DeploymentArn        string  `json:"DeploymentArn"`
}

// Hooks returns h with the plane's reaction added after h's at every ON_*
// action point.
func (p *Plane) Hooks(h appconfig.Hooks) appconfig.Hooks {
	if h == nil {
		h = appconfig.NoHooks{}
	}
	return hooks{Hooks: h, p: p}
}

type hooks struct {
	appconfig.Hooks
	p *Plane
}

// OnDeployment implements appconfig.Hooks.
func (h hooks) OnDeployment(tx appconfig.Tx, point appconfig.ActionPoint, d *appconfig.Deployment, ev *appconfig.DeploymentEvent) error {
	if err := h.Hooks.OnDeployment(tx, point, d, ev); err != nil {
		return err
	}
	return h.p.onDeployment(context.Background(), tx, point, d, ev)
}

// onDeployment appends the lifecycle event of ev and, for a deployment that
// runs a shipyard task, the task's .status.changed or .finished, in the
// transaction of the deployment step.
func (p *Plane) onDeployment(ctx context.Context, atx appconfig.Tx, point appconfig.ActionPoint, d *appconfig.Deployment, ev *appconfig.DeploymentEvent) error {
	phase := phaseOf(ev.EventType)
	if phase == "" {
		return nil
	}
	tx, err := p.join.Keptn(atx)
	if err != nil {
		return err
	}
	facts, err := factsOf(ctx, atx, p.ac.ARNs(), point, d, ev)
	if err != nil {
		return err
	}
	o, err := p.scope(tx, d, facts)
	if err != nil {
		return err
	}
	data := map[string]any{"project": o.Project, "stage": o.Stage, "service": o.Service,
		"message": message(d, ev), "appconfig": facts}
	le, err := p.events.New(EventPrefix+phase, Source, o.KeptnContext, o.TriggeredID, data)
	if err != nil {
		return err
	}
	le.GitCommitID = o.GitCommitID
	if err := p.events.Append(ctx, tx, le); err != nil {
		return err
	}
	if phase == PhaseBaking {
		if err := p.startGates(ctx, atx, tx, d, facts, o); err != nil {
			return err
		}
	}
	if d.Engine.Task == nil {
		return nil
	}
	return p.reportTask(ctx, tx, d, ev, phase, facts)
}

// reportTask sends what a lifecycle phase means to the task it runs.
func (p *Plane) reportTask(ctx context.Context, tx keptn.Tx, d *appconfig.Deployment, ev *appconfig.DeploymentEvent, phase string, facts *Facts) error {
	o := d.Engine.Task
	switch phase {
	case PhaseProgressed, PhaseBaking:
		return p.taskEvent(ctx, tx, o, "status.changed", map[string]any{"message": message(d, ev)})
	case PhaseCompleted:
		return p.taskEvent(ctx, tx, o, "finished", map[string]any{"result": keptn.ResultPass, "status": keptn.StatusSucceeded,
			"message": message(d, ev), "appconfig": facts})
	case PhaseRolledBack:
		return p.taskEvent(ctx, tx, o, "finished", map[string]any{"result": keptn.ResultFail, "status": keptn.StatusErrored,
			"message": fmt.Sprintf("AppConfig deployment %d rolled back: %s", d.DeploymentNumber, rollbackReason(d)), "appconfig": facts})
	}
	return nil
}

// taskEvent appends sh.keptn.event.<task>.<phase> in o's scope; extra is
// merged into data.
func (p *Plane) taskEvent(ctx context.Context, tx keptn.Tx, o *appconfig.TaskOrigin, phase string, extra map[string]any) error {
	data := map[string]any{"project": o.Project, "stage": o.Stage, "service": o.Service}
	for k, v := range extra {
		data[k] = v
	}
	ev, err := p.events.New(keptn.TaskType(o.Task, phase), Source, o.KeptnContext, o.TriggeredID, data)
	if err != nil {
		return err
	}
	ev.GitCommitID = o.GitCommitID
	return p.events.Append(ctx, tx, ev)
}

// scope is where a lifecycle event is reported: the task's scope for a
// deployment a task started; otherwise a context derived from the
// deployment ARN (stable for all its events) and, when a Keptn project is
// named like the application, that project with the environment as stage
// and the configuration profile as service.
func (p *Plane) scope(tx keptn.Tx, d *appconfig.Deployment, f *Facts) (*appconfig.TaskOrigin, error) {
	if d.Engine.Task != nil {
		return d.Engine.Task, nil
	}
	o := &appconfig.TaskOrigin{KeptnContext: ContextOf(f.DeploymentArn)}
	_, err := tx.Shipyard(f.Application.Name)
	switch {
	case err == nil:
		o.Project, o.Stage, o.Service = f.Application.Name, f.Environment.Name, f.ConfigurationProfile.Name
	case keptn.ErrorCode(err) != keptn.CodeNotFound:
		return nil, err
	}
	return o, nil
}

// ContextOf is the shkeptncontext of the lifecycle events of a deployment no
// task started: a UUID (version 5) of its ARN.
func ContextOf(deploymentArn string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(deploymentArn)).String()
}

func factsOf(ctx context.Context, r appconfig.Reader, arns appconfig.ARNs, point appconfig.ActionPoint, d *appconfig.Deployment, ev *appconfig.DeploymentEvent) (*Facts, error) {
	var app appconfig.Application
	var env appconfig.Environment
	var prof appconfig.ConfigurationProfile
	if err := r.Get(ctx, appconfig.KindApplication, d.ApplicationID, &app); err != nil {
		return nil, err
	}
	if err := r.Get(ctx, appconfig.KindEnvironment, d.EnvironmentID, &env); err != nil {
		return nil, err
	}
	if err := r.Get(ctx, appconfig.KindProfile, d.ConfigurationProfileID, &prof); err != nil {
		return nil, err
	}
	f := &Facts{Application: Ref{app.ID, app.Name}, Environment: Ref{env.ID, env.Name},
		ConfigurationProfile: Ref{prof.ID, prof.Name}, DeploymentNumber: strconv.Itoa(d.DeploymentNumber),
		ConfigurationVersion: d.ConfigurationVersion, Type: typeOf(point), State: stateAt(d, ev),
		PercentageComplete: percentageAt(d, ev), EventType: ev.EventType, TriggeredBy: ev.TriggeredBy,
		EventDescription: ev.Description, DeploymentArn: arns.Deployment(d.ApplicationID, d.EnvironmentID, d.DeploymentNumber)}
	if d.Description != "" {
		desc := d.Description
		f.Description = &desc
	}
	return f, nil
}

// typeOf spells an action point as the extension message's Type does
// (ON_DEPLOYMENT_STEP → OnDeploymentStep).
func typeOf(p appconfig.ActionPoint) string {
	out := []byte{}
	up := true
	for _, c := range []byte(p) {
		switch {
		case c == '_':
			up = true
			continue
		case up:
			up = false
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// message is the human line of a lifecycle event and of the task's events.
func message(d *appconfig.Deployment, ev *appconfig.DeploymentEvent) string {
	switch ev.EventType {
	case appconfig.EventPercentageUpdated:
		return fmt.Sprintf("AppConfig deployment %d: %s%% of clients", d.DeploymentNumber, strconv.FormatFloat(percentageAt(d, ev), 'f', -1, 64))
	case appconfig.EventBakeTimeStarted:
		return fmt.Sprintf("AppConfig deployment %d: 100%% of clients, baking (bake time %d min)", d.DeploymentNumber, d.FinalBakeTimeInMinutes)
	case appconfig.EventDeploymentComplete:
		return fmt.Sprintf("AppConfig deployment %d completed", d.DeploymentNumber)
	case appconfig.EventRollbackCompleted:
		return fmt.Sprintf("AppConfig deployment %d rolled back: %s", d.DeploymentNumber, rollbackReason(d))
	}
	return fmt.Sprintf("AppConfig deployment %d: %s", d.DeploymentNumber, ev.Description)
}

// rollbackReason is the description of the deployment's latest
// ROLLBACK_STARTED (the log is newest first).
func rollbackReason(d *appconfig.Deployment) string {
	for _, e := range d.EventLog {
		if e.EventType == appconfig.EventRollbackStarted && e.Description != "" {
			return e.Description
		}
	}
	return "rolled back"
}

// percentageAt is the share of clients reached when ev was logged: one
// engine step may log several growth steps, and d holds only the last.
func percentageAt(d *appconfig.Deployment, ev *appconfig.DeploymentEvent) float64 {
	at := -1
	for i := range d.EventLog {
		if &d.EventLog[i] == ev {
			at = i
			break
		}
	}
	if at < 0 {
		return d.PercentageComplete
	}
	steps := 0
	for _, e := range d.EventLog[at:] { // ev and what came before it
		if e.EventType == appconfig.EventPercentageUpdated {
			steps++
		}
	}
	if steps == 0 {
		return 0
	}
	pcts := appconfig.Percentages(d.GrowthType, d.GrowthFactor)
	return pcts[min(steps, len(pcts))-1]
}

// stateAt is the deployment state that ev leaves the deployment in.
func stateAt(d *appconfig.Deployment, ev *appconfig.DeploymentEvent) string {
	switch ev.EventType {
	case appconfig.EventDeploymentStarted, appconfig.EventPercentageUpdated:
		return appconfig.StateDeploying
	case appconfig.EventBakeTimeStarted:
		return appconfig.StateBaking
	case appconfig.EventDeploymentComplete:
		return appconfig.StateComplete
	case appconfig.EventRollbackCompleted:
		return appconfig.StateRolledBack
	case appconfig.EventRevertCompleted:
		return appconfig.StateReverted
	}
	return d.State
}
