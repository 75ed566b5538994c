package lighthouse

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
)

// Outbox kinds of the evaluator's work.
const (
	// ScoreKind scores a provider's get-sli.finished.
	ScoreKind = "lighthouse.score"
	// TimeoutKind fails an evaluation whose provider did not answer in time.
	TimeoutKind = "lighthouse.timeout"
)

// DefaultSLITimeout is how long an evaluation waits for its SLI provider.
// Keptn waited forever; a started task with no end blocked its service.
const DefaultSLITimeout = 10 * time.Minute

// Config tunes the evaluator.
type Config struct {
	// SLITimeout fails an evaluation whose provider has not answered
	// get-sli.triggered within it (default DefaultSLITimeout).
	SLITimeout time.Duration
	// DefaultProvider is asked for projects without one (Keptn's ConfigMap
	// lighthouse-config); "" means such evaluations pass unevaluated.
	DefaultProvider string
	// External leaves evaluation tasks to an external evaluator: the
	// evaluator then only records monitoring.configure. Work queued before
	// still completes.
	External bool
	// OnOpen, if set, is called after a commit that opened a
	// get-sli.triggered event, to wake long-polling integrations.
	OnOpen func()
}

// Evaluator runs evaluations. It keeps no state in memory.
type Evaluator struct {
	events *keptn.Events
	store  keptn.Store
	clock  clock.Clock
	log    *slog.Logger
	cfg    Config
}

// New returns an evaluator. Register it with events.AddHook and its outbox
// handlers (HandleScore for ScoreKind, HandleTimeout for TimeoutKind).
func New(events *keptn.Events, store keptn.Store, clk clock.Clock, log *slog.Logger, cfg Config) *Evaluator {
	if cfg.SLITimeout <= 0 {
		cfg.SLITimeout = DefaultSLITimeout
	}
	return &Evaluator{events: events, store: store, clock: clk, log: log, cfg: cfg}
}

// OnEvent implements keptn.EventHook.
func (e *Evaluator) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	switch {
	case e.cfg.External && ev.Type != TypeConfigureMonitoring:
		return nil
	case ev.Type == TypeEvaluationTriggered:
		return e.onTriggered(ctx, tx, ev)
	case ev.Type == TypeGetSLIFinished:
		return e.onSLIFinished(tx, ev)
	case ev.Type == TypeConfigureMonitoring:
		return e.onConfigure(tx, ev)
	}
	return nil
}

// FinishedID is the id of the evaluation.finished event that answers the
// evaluation.triggered event with id triggeredID: derived, so that however
// many paths race to finish an evaluation, one event is stored.
func FinishedID(triggeredID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("baton:lighthouse:"+triggeredID+":finished")).String()
}

// onTriggered starts an evaluation: .started, then an immediate .finished
// when there is nothing to evaluate, else get-sli.triggered with a timeout.
func (e *Evaluator) onTriggered(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	in := readTriggered(ev.Data)
	st, err := e.events.New(TypeEvaluationStarted, Source, ev.Shkeptncontext, ev.ID, keptn.EventData{
		Project: in.Project, Stage: in.Stage, Service: in.Service, Labels: in.Labels, Status: keptn.StatusSucceeded})
	if err != nil {
		return err
	}
	st.GitCommitID = ev.GitCommitID
	if err := e.events.Append(ctx, tx, st); err != nil {
		return err
	}
	start, end, err := in.times(e.clock.Now())
	if err != nil {
		return e.finishNow(ctx, tx, ev, in, keptn.ResultFail, keptn.StatusErrored, err.Error(), start, end)
	}
	slo, problem, err := e.sloInTx(tx, in.EventData)
	if err != nil {
		return err
	}
	if problem != "" {
		return e.finishNow(ctx, tx, ev, in, keptn.ResultFail, keptn.StatusErrored, problem, start, end)
	}
	if slo == nil {
		return e.finishNow(ctx, tx, ev, in, keptn.ResultPass, keptn.StatusSucceeded,
			"no evaluation performed by lighthouse because no SLO file configured for project "+in.Project, start, end)
	}
	provider, err := tx.SLIProvider(in.Project)
	if err != nil {
		return err
	}
	if provider == "" {
		provider = e.cfg.DefaultProvider
	}
	if provider == "" {
		return e.finishNow(ctx, tx, ev, in, keptn.ResultPass, keptn.StatusSucceeded,
			"no evaluation performed by lighthouse because no SLI-provider configured for project "+in.Project, start, end)
	}
	return e.askProvider(ctx, tx, ev, in, slo, provider, start, end)
}

// askProvider emits get-sli.triggered (its triggeredid is the evaluation's
// .triggered id), opens it for remote integrations and arms the timeout.
func (e *Evaluator) askProvider(ctx context.Context, tx keptn.Tx, ev *keptn.Event, in evalInput, slo *SLO, provider, start, end string) error {
	data := GetSLITriggeredData{
		EventData: keptn.EventData{Project: in.Project, Stage: in.Stage, Service: in.Service, Labels: in.Labels},
		GetSLI:    GetSLI{SLIProvider: provider, Start: start, End: end, Indicators: []string{}},
	}
	for _, o := range slo.Objectives {
		data.GetSLI.Indicators = append(data.GetSLI.Indicators, o.SLI)
	}
	keys := make([]string, 0, len(slo.Filter))
	for k := range slo.Filter {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		data.GetSLI.CustomFilters = append(data.GetSLI.CustomFilters, &SLIFilter{Key: k, Value: slo.Filter[k]})
	}
	if len(in.Deployments) > 0 {
		data.Deployment = in.Deployments[0]
	}
	gs, err := e.events.New(TypeGetSLITriggered, Source, ev.Shkeptncontext, ev.ID, data)
	if err != nil {
		return err
	}
	gs.GitCommitID = ev.GitCommitID
	now := e.clock.Now()
	if err := tx.AddOpenEvent(keptn.OpenEvent{ID: gs.ID, Type: gs.Type, Project: in.Project, Stage: in.Stage,
		Service: in.Service, Due: now}); err != nil {
		return err
	}
	msg := fmt.Sprintf("evaluation timed out: SLI provider %s did not answer %s within %s", provider, TypeGetSLITriggered, e.cfg.SLITimeout)
	payload, err := json.Marshal(timeoutJob{Event: gs, Message: msg})
	if err != nil {
		return err
	}
	if err := tx.Enqueue(keptn.Job{Kind: TimeoutKind, Key: gs.ID, Payload: payload, Due: now.Add(e.cfg.SLITimeout)}); err != nil {
		return err
	}
	if e.cfg.OnOpen != nil {
		tx.AfterCommit(e.cfg.OnOpen)
	}
	return e.events.Append(ctx, tx, gs)
}

// finishNow emits the evaluation's .finished without asking a provider.
func (e *Evaluator) finishNow(ctx context.Context, tx keptn.Tx, ev *keptn.Event, in evalInput, result, status, msg, start, end string) error {
	data := FinishedData{
		EventData:  keptn.EventData{Project: in.Project, Stage: in.Stage, Service: in.Service, Labels: in.Labels, Result: result, Status: status, Message: msg},
		Evaluation: Details{TimeStart: start, TimeEnd: end, Result: result},
	}
	return e.finish(ctx, tx, ev.Shkeptncontext, ev.ID, ev.GitCommitID, data)
}

// finish appends the evaluation.finished event for the evaluation whose
// .triggered id is triggeredID. keptn.CodeConflict means it already finished.
func (e *Evaluator) finish(ctx context.Context, tx keptn.Tx, keptnContext, triggeredID, gitCommit string, data FinishedData) error {
	fin, err := e.events.New(TypeEvaluationFinished, Source, keptnContext, triggeredID, data)
	if err != nil {
		return err
	}
	fin.ID = FinishedID(triggeredID)
	fin.GitCommitID = gitCommit
	return e.events.Append(ctx, tx, fin)
}

// sloInTx reads the service's slo.yaml in the stage. problem is the message
// of an errored evaluation (unknown stage or service, unparsable file).
func (e *Evaluator) sloInTx(tx keptn.Tx, d keptn.EventData) (slo *SLO, problem string, err error) {
	if d.Project == "" || d.Stage == "" || d.Service == "" {
		return nil, "error retrieving SLO file: the event names no project, stage and service", nil
	}
	ok, err := tx.ServiceExists(d.Project, d.Service)
	if keptn.ErrorCode(err) == keptn.CodeNotFound || (err == nil && !ok) {
		return nil, "error retrieving SLO file: service " + d.Service + " not found", nil
	}
	if err != nil {
		return nil, "", err
	}
	files, err := tx.LevelResources(d.Project, d.Stage, d.Service, SLOURI)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return nil, "error retrieving SLO file: stage " + d.Stage + " not found", nil
	}
	if err != nil {
		return nil, "", err
	}
	for _, f := range files {
		if f.Stage == d.Stage && f.Service == d.Service {
			slo, err := ParseSLO(f.Content)
			if err != nil {
				return nil, sloProblem(d, err), nil
			}
			return slo, "", nil
		}
	}
	return nil, "", nil
}

func sloProblem(d keptn.EventData, err error) string {
	return fmt.Sprintf("Could not parse SLO file for service %s in stage %s in project %s: %v", d.Service, d.Stage, d.Project, err)
}

// onSLIFinished closes the provider's get-sli.triggered and queues the score.
func (e *Evaluator) onSLIFinished(tx keptn.Tx, ev *keptn.Event) error {
	if ev.TriggeredID == "" {
		return nil
	}
	if err := tx.DeleteOpenEvent(ev.TriggeredID); err != nil {
		return err
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return tx.Enqueue(keptn.Job{Kind: ScoreKind, Key: ev.ID, Payload: raw})
}

// onConfigure handles sh.keptn.event.monitoring.configure: data.type becomes
// the project's SLI provider. Unknown projects and empty types are ignored,
// as Keptn ignored them.
func (e *Evaluator) onConfigure(tx keptn.Tx, ev *keptn.Event) error {
	var d struct {
		Project any `json:"project"`
		Type    any `json:"type"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	project, _ := d.Project.(string)
	typ, _ := d.Type.(string)
	if ValidateProvider(typ) != nil || project == "" {
		return nil
	}
	err := tx.SetSLIProvider(project, typ)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return nil
	}
	return err
}

// ValidateProvider checks an SLI provider name: what monitoring.configure
// and the API accept.
func ValidateProvider(name string) error {
	if name == "" || len(name) > 100 {
		return keptn.Errorf(keptn.CodeBadRequest, "the SLI provider must be a name of 1 to 100 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return keptn.Errorf(keptn.CodeBadRequest, "the SLI provider %q may hold only letters, digits, '-', '_' and '.'", name)
		}
	}
	return nil
}
