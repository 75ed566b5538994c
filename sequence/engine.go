package sequence

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
)

// Source is the source of the events the engine emits, as Keptn's.
const Source = "shipyard-controller"

// DefaultStartedTimeout is Keptn's TASK_STARTED_WAIT_DURATION.
const DefaultStartedTimeout = 10 * time.Minute

// DefaultFinishedTimeout is baton serve's default finished timeout: a task
// started but not finished an hour later ends its sequence timedOut, so a
// lost executor does not hold its service's queue forever (Keptn had no
// such timeout; stuck sequences were its users' most common complaint).
// Shipyard tasks override it with finishedTimeout.
const DefaultFinishedTimeout = time.Hour

// Config tunes the engine. The zero value is Keptn's behaviour.
type Config struct {
	// StartedTimeout ends a sequence timedOut when a dispatched task gets no
	// .started, .status.changed or .finished event within it (default 10m).
	StartedTimeout time.Duration
	// FinishedTimeout, if positive, ends a sequence timedOut when a started
	// task does not finish within it. A task's finishedTimeout in the
	// shipyard overrides it. Keptn has no such timeout (zero); baton serve
	// sets DefaultFinishedTimeout.
	FinishedTimeout time.Duration
}

// Engine runs sequences. It holds no per-sequence state in memory: all of it
// lives in the store, so the engine can be shared by concurrent transactions.
type Engine struct {
	events *keptn.Events
	clock  clock.Clock
	log    *slog.Logger
	cfg    Config
	opened notifier
}

// New returns an engine that emits events through events. Register it with
// events.AddHook and its timers with the outbox (TimerHandler).
func New(events *keptn.Events, clk clock.Clock, log *slog.Logger, cfg Config) *Engine {
	if cfg.StartedTimeout <= 0 {
		cfg.StartedTimeout = DefaultStartedTimeout
	}
	return &Engine{events: events, clock: clk, log: log, cfg: cfg}
}

// OnEvent implements keptn.EventHook.
func (en *Engine) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	t := keptn.ParseType(ev.Type)
	switch {
	case t.Kind == keptn.KindSequence && t.Phase == "triggered":
		return en.onSequenceTriggered(ctx, tx, ev, t)
	case t.Kind == keptn.KindTask && (t.Phase == "started" || t.Phase == "finished"):
		return en.onTaskEvent(ctx, tx, ev, t)
	case t.Kind == keptn.KindStatus:
		return en.onTaskEvent(ctx, tx, ev, t)
	}
	return nil
}

// PrepareEvent implements keptn.EventPreparer: it decodes the data of the
// events OnEvent reads before they reach the store's writer.
func (en *Engine) PrepareEvent(ev *keptn.Event) {
	t := keptn.ParseType(ev.Type)
	switch {
	case t.Kind == keptn.KindSequence && t.Phase == "triggered",
		t.Kind == keptn.KindTask && (t.Phase == "started" || t.Phase == "finished"),
		t.Kind == keptn.KindStatus:
		ev.PrepareDecodedData()
	}
}

// onSequenceTriggered creates an execution for sh.keptn.event.<stage>.<seq>.triggered
// and starts it, or queues it behind the one running for its project, stage
// and service.
func (en *Engine) onSequenceTriggered(ctx context.Context, tx keptn.Tx, ev *keptn.Event, t keptn.EventType) error {
	input := ev.DecodedData()
	project, service := str(input, "project"), str(input, "service")
	if project == "" {
		return nil // nothing to run it in; Keptn drops such events too
	}
	seq, problem, err := en.lookup(tx, project, t.Stage, t.Sequence, service)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return nil // no such project: the event is only history
	}
	if err != nil {
		return err
	}
	if old, err := tx.Execution(ev.ID); err != nil || old != nil {
		return err // a duplicate .triggered is ignored
	}
	if problem != "" {
		return en.reject(ctx, tx, ev, t, input, problem)
	}
	input["stage"] = t.Stage
	e := &keptn.SequenceExecution{
		ID:       ev.ID,
		Sequence: *seq,
		Status:   keptn.SequenceStatus{State: keptn.StateTriggered, PreviousTasks: []keptn.TaskResult{}},
		Scope: keptn.SequenceScope{
			Project: project, Stage: t.Stage, Service: service, Labels: labels(input),
			KeptnContext: ev.Shkeptncontext, TriggeredID: ev.ID, GitCommitID: ev.GitCommitID, EventType: ev.Type,
		},
		InputProperties: input,
		TriggeredAt:     en.clock.Now().UTC(),
	}
	e.Baton.Image, _ = path(input, "configurationChange", "values", "image").(string)
	e.Baton.LatestEvent = ref(ev)
	if err := tx.AddOpenEvent(keptn.OpenEvent{ID: ev.ID, Type: ev.Type, Project: project, Stage: t.Stage,
		Service: service, ExecutionID: e.ID, Due: e.TriggeredAt}); err != nil {
		return err
	}
	en.signalOpened(tx, ev.Type)
	paused, err := tx.Paused(e.Scope.KeptnContext, e.Scope.Stage)
	if err != nil {
		return err
	}
	busy, err := en.slotBusy(tx, e)
	if err != nil {
		return err
	}
	switch {
	case paused:
		e.Status.State, e.Status.StateBeforePause = keptn.StatePaused, keptn.StateWaiting
	case busy:
		e.Status.State = keptn.StateWaiting
	default:
		return en.start(ctx, tx, e)
	}
	return en.save(tx, e)
}

// lookup finds the sequence definition. problem is the message of an errored
// .finished when the sequence cannot run; CodeNotFound if the project does
// not exist.
func (en *Engine) lookup(tx keptn.Tx, project, stage, name, service string) (seq *keptn.Sequence, problem string, err error) {
	sy, err := tx.Shipyard(project)
	if err != nil {
		return nil, "", err
	}
	st := sy.Stage(stage)
	if st == nil {
		return nil, "stage " + stage + " not found in the shipyard of project " + project, nil
	}
	seq = st.Sequence(name)
	if seq == nil && name == "evaluation" {
		// Keptn's built-in fallback: every stage can run an evaluation.
		seq = &keptn.Sequence{Name: "evaluation", Tasks: []keptn.Task{{Name: "evaluation"}}}
	}
	if seq == nil || len(seq.Tasks) == 0 {
		return nil, "no sequence " + name + " with tasks found in stage " + stage + " of project " + project, nil
	}
	if service == "" {
		return nil, "the event names no service (data.service)", nil
	}
	ok, err := tx.ServiceExists(project, service)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "service " + service + " not found in project " + project, nil
	}
	return deepCopy(seq), "", nil
}

// reject answers a .triggered that cannot run with an errored .finished.
func (en *Engine) reject(ctx context.Context, tx keptn.Tx, ev *keptn.Event, t keptn.EventType, input map[string]any, msg string) error {
	fin, err := en.events.New(keptn.SequenceType(t.Stage, t.Sequence, "finished"), Source, ev.Shkeptncontext, ev.ID, keptn.EventData{
		Project: str(input, "project"), Stage: t.Stage, Service: str(input, "service"), Labels: labels(input),
		Status: keptn.StatusErrored, Result: keptn.ResultFail, Message: msg,
	})
	if err != nil {
		return err
	}
	fin.GitCommitID = ev.GitCommitID
	if err := en.recordRefused(tx, ev, t, input, fin, msg); err != nil {
		return err
	}
	return en.events.Append(ctx, tx, fin)
}

// slotBusy reports whether e must wait: another execution runs in its
// project/stage/service, or others already wait (first in, first out).
func (en *Engine) slotBusy(tx keptn.Tx, e *keptn.SequenceExecution) (bool, error) {
	taken, err := tx.SlotTaken(e.Scope.Project, e.Scope.Stage, e.Scope.Service, e.ID)
	if err != nil || taken {
		return taken, err
	}
	return tx.HasWaiting(e.Scope.Project, e.Scope.Stage, e.Scope.Service)
}

// save stores e and, when e is new or its state changed, its context's summary.
func (en *Engine) save(tx keptn.Tx, e *keptn.SequenceExecution) error {
	changed := e.Seq == 0 || e.StoredState != e.Status.State
	if err := tx.PutExecution(e); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	return tx.PutSequenceContext(keptn.SequenceContext{
		KeptnContext: e.Scope.KeptnContext, Project: e.Scope.Project, Service: e.Scope.Service,
		Name: e.Sequence.Name, Time: e.TriggeredAt, State: e.Status.State,
	})
}

func ref(ev *keptn.Event) *keptn.SequenceEventRef {
	return &keptn.SequenceEventRef{Type: ev.Type, ID: ev.ID, Time: ev.Time}
}

// deepCopy copies a sequence definition so executions never share maps with
// a (possibly cached) shipyard.
func deepCopy(seq *keptn.Sequence) *keptn.Sequence {
	raw, err := json.Marshal(seq)
	if err != nil {
		c := *seq
		return &c
	}
	var out keptn.Sequence
	if json.Unmarshal(raw, &out) != nil {
		c := *seq
		return &c
	}
	return &out
}
