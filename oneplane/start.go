package oneplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// startJob is the outbox payload of a task deployment waiting to start.
type startJob struct {
	Event keptn.Event `json:"event"`
	Task  string      `json:"task"`
	Spec  TaskSpec    `json:"spec"`
}

// onTriggered queues the deployment of a task named in an appconfig.yaml.
// The deployment starts after commit (PRE_START_DEPLOYMENT extensions may
// call out, which no write transaction may wait for); HandleStart then sends
// .started in the deployment's own transaction.
func (p *Plane) onTriggered(tx keptn.Tx, ev *keptn.Event, task string) error {
	project, stage, service := ev.Scope()
	if project == "" || stage == "" || service == "" {
		return nil
	}
	spec, err := p.taskSpec(tx, project, stage, service, task)
	if err != nil || spec == nil {
		return err
	}
	payload, err := json.Marshal(startJob{Event: *ev, Task: task, Spec: *spec})
	if err != nil {
		return err
	}
	return tx.Enqueue(keptn.Job{Kind: StartKind, Key: ev.ID, Payload: payload})
}

// HandleStart implements outbox.Handler for StartKind: it starts the task's
// deployment and appends the task's .started in one transaction. A
// deployment that cannot start (unknown names, a deployment already running
// in the environment, invalid content) ends the task with .started and a
// failed .finished carrying the reason. A retried job finds its .started
// already stored and does nothing.
func (p *Plane) HandleStart(ctx context.Context, it outbox.Item) outbox.Result {
	res := outbox.Result{Attempt: outbox.Attempt{Started: p.clock.Now()}}
	var j startJob
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		res.Failed, res.Permanent, res.Error = true, true, "corrupt start job: "+err.Error()
		return res
	}
	err := p.start(ctx, &j)
	var ae *appconfig.Error
	if err != nil && (errors.As(err, &ae) && ae.Code != appconfig.CodeInternal || it.Final) {
		err = p.refuse(ctx, &j, err)
	}
	if err != nil {
		res.Failed, res.Error = true, err.Error()
	}
	res.Latency = p.clock.Now().Sub(res.Started)
	return res
}

// start prepares the deployment and starts it with the task's .started.
func (p *Plane) start(ctx context.Context, j *startJob) error {
	// A retry after a crash must not run PRE_START_DEPLOYMENT again for a
	// deployment that started (once checks again inside the transaction).
	if _, n, err := p.store.Events(ctx, keptn.EventFilter{EventID: derivedID(j.Event.ID, "started"), Limit: 1}); err != nil || n > 0 {
		return err
	}
	in := appconfig.StartInput{
		Application: j.Spec.Application, Environment: j.Spec.Environment, ProfileID: j.Spec.ConfigurationProfile,
		StrategyID: j.Spec.DeploymentStrategy, ConfigurationVersion: requestedVersion(&j.Event),
		Description: j.Spec.Description, Task: origin(&j.Event, j.Task),
	}
	if in.Description == "" {
		in.Description = fmt.Sprintf("shipyard task %s of %s", j.Task, j.Event.Shkeptncontext)
	}
	if err := p.ac.ResolveStart(ctx, &in); err != nil {
		return err
	}
	prep, err := p.ac.Prepare(ctx, in)
	if err != nil {
		return err
	}
	return p.once(ctx, j, func(tx keptn.Tx) error {
		atx, err := p.join.AppConfig(tx)
		if err != nil {
			return err
		}
		_, err = p.ac.StartPrepared(ctx, atx, prep)
		return err
	})
}

// refuse ends the task: .started, then .finished fail with the reason.
func (p *Plane) refuse(ctx context.Context, j *startJob, cause error) error {
	return p.once(ctx, j, func(tx keptn.Tx) error {
		return p.taskEvent(ctx, tx, origin(&j.Event, j.Task), "finished", map[string]any{
			"result": keptn.ResultFail, "status": keptn.StatusErrored,
			"message": "the AppConfig deployment could not start: " + cause.Error()})
	})
}

// once appends the task's .started and runs then in one transaction,
// unless an earlier attempt already did (the .started id is derived from
// the .triggered id), or the sequence that sent the task has ended.
func (p *Plane) once(ctx context.Context, j *startJob, then func(keptn.Tx) error) error {
	err := p.store.Update(ctx, func(tx keptn.Tx) error {
		e, err := tx.ExecutionByTask(j.Event.ID)
		if err != nil {
			return err
		}
		if e != nil && e.Ended() {
			return errEnded
		}
		project, stage, service := j.Event.Scope()
		st, err := p.events.New(keptn.TaskType(j.Task, "started"), Source, j.Event.Shkeptncontext, j.Event.ID,
			keptn.EventData{Project: project, Stage: stage, Service: service})
		if err != nil {
			return err
		}
		st.ID = derivedID(j.Event.ID, "started")
		st.GitCommitID = j.Event.GitCommitID
		if err := p.events.Append(ctx, tx, st); err != nil {
			return err
		}
		return then(tx)
	})
	if errors.Is(err, errEnded) || keptn.ErrorCode(err) == keptn.CodeConflict {
		return nil
	}
	return err
}

var errEnded = errors.New("the sequence has ended")

// derivedID is a stable event id for what the plane emits once per trigger.
func derivedID(triggeredID, what string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("baton:oneplane:"+triggeredID+":"+what)).String()
}

// origin is the task a deployment runs.
func origin(ev *keptn.Event, task string) *appconfig.TaskOrigin {
	project, stage, service := ev.Scope()
	return &appconfig.TaskOrigin{Task: task, TriggeredID: ev.ID, KeptnContext: ev.Shkeptncontext,
		Project: project, Stage: stage, Service: service, GitCommitID: ev.GitCommitID}
}

// requestedVersion is data.appconfig.version of the triggering event ("" =
// the latest hosted version); a number or a version label.
func requestedVersion(ev *keptn.Event) string {
	var d struct {
		AppConfig struct {
			Version any `json:"version"`
		} `json:"appconfig"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	switch v := d.AppConfig.Version.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}
