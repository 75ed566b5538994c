package oneplane

import (
	"context"
	"log/slog"
	"sync"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
)

// Source is the source of the events the plane emits.
const Source = "baton-appconfig"

// StartKind is the outbox kind of a task deployment waiting to start.
const StartKind = "oneplane.start"

// Joiner gives each domain's view of one write transaction. Both views
// write to the same transaction: what one domain does commits or rolls back
// with what the other does.
type Joiner interface {
	Keptn(tx appconfig.Tx) (keptn.Tx, error)
	AppConfig(tx keptn.Tx) (appconfig.Tx, error)
}

// Plane is the bridge between the Keptn and AppConfig halves. Register it
// as a Keptn event hook, wrap the AppConfig hooks with Hooks, set the
// AppConfig service with SetAppConfig and handle StartKind with HandleStart.
type Plane struct {
	events *keptn.Events
	store  keptn.Store
	join   Joiner
	clock  clock.Clock
	log    *slog.Logger
	ac     *appconfig.Service

	mu    sync.Mutex
	cache map[string]*Config // by resource revision
}

// New returns a plane over the Keptn event service and store.
func New(events *keptn.Events, store keptn.Store, join Joiner, clk clock.Clock, log *slog.Logger) *Plane {
	return &Plane{events: events, store: store, join: join, clock: clk, log: log, cache: map[string]*Config{}}
}

// SetAppConfig gives the plane the AppConfig service (built after the plane,
// because the service's hooks include the plane's). Call it before serving.
func (p *Plane) SetAppConfig(ac *appconfig.Service) { p.ac = ac }

// OnEvent implements keptn.EventHook: a task's .triggered named in an
// appconfig.yaml queues the start of its deployment; an aborted sequence
// rolls back the deployments its tasks started in that stage.
func (p *Plane) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	t := keptn.ParseType(ev.Type)
	switch {
	case t.Kind == keptn.KindTask && t.Phase == "triggered":
		return p.onTriggered(tx, ev, t.Task)
	case ev.Type == typeEvaluationFinished:
		return p.onEvaluationFinished(ctx, tx, ev)
	case t.Kind == keptn.KindSequence && t.Phase == "finished":
		d, _ := ev.ParsedData()
		if d.Status == keptn.StatusAborted {
			return p.onAborted(ctx, tx, ev.Shkeptncontext, t.Stage)
		}
	}
	return nil
}

// config returns the parsed appconfig.yaml of a stored resource.
func (p *Plane) config(r keptn.LevelResource) (*Config, error) {
	p.mu.Lock()
	c, ok := p.cache[r.Revision]
	p.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := ParseConfig(r.Content)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if len(p.cache) > 4096 {
		clear(p.cache)
	}
	p.cache[r.Revision] = c
	p.mu.Unlock()
	return c, nil
}

// taskSpec finds the deployment an appconfig.yaml assigns to task: the
// service level first, then the stage, then the project.
func (p *Plane) taskSpec(tx keptn.Tx, project, stage, service, task string) (*TaskSpec, error) {
	files, err := tx.LevelResources(project, stage, service, ConfigURI)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		c, err := p.config(f)
		if err != nil {
			p.log.Warn("ignoring invalid appconfig.yaml", "project", project, "stage", f.Stage, "service", f.Service, "err", err)
			continue
		}
		if s, ok := c.Tasks[task]; ok {
			return &s, nil
		}
	}
	return nil, nil
}

// onAborted rolls back the active deployments started by tasks of
// keptnContext in stage.
func (p *Plane) onAborted(ctx context.Context, tx keptn.Tx, keptnContext, stage string) error {
	atx, err := p.join.AppConfig(tx)
	if err != nil {
		return err
	}
	active, err := atx.ActiveDeployments(ctx)
	if err != nil {
		return err
	}
	for _, d := range active {
		o := d.Engine.Task
		if o == nil || o.KeptnContext != keptnContext || o.Stage != stage {
			continue
		}
		why := appconfig.Trigger{By: appconfig.ByUser, Description: "Rollback initiated by aborting sequence " + keptnContext}
		if err := p.ac.RollBackTx(ctx, atx, d, why); err != nil {
			return err
		}
	}
	return nil
}
