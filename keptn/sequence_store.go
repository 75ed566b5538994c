package keptn

import (
	"context"
	"encoding/json"
	"time"
)

// States of a sequence execution, as Keptn names them.
const (
	StateTriggered          = "triggered"
	StateWaiting            = "waiting"
	StateStarted            = "started"
	StateWaitingForApproval = "waitingForApproval"
	StatePaused             = "paused"
	StateFinished           = "finished"
	StateAborted            = "aborted"
	StateTimedOut           = "timedOut"
)

// SequenceExecution is one run of one sequence in one stage for one
// keptnContext. Its JSON is Keptn's SequenceExecution model (served by
// GET /sequence-execution) plus baton's bookkeeping under "baton".
type SequenceExecution struct {
	ID              string         `json:"_id"` // the sequence .triggered event's id
	Sequence        Sequence       `json:"sequence"`
	Status          SequenceStatus `json:"status"`
	Scope           SequenceScope  `json:"scope"`
	InputProperties map[string]any `json:"inputProperties"`
	TriggeredAt     time.Time      `json:"triggeredAt"`
	Baton           ExecutionExtra `json:"baton"`

	// Seq orders executions by creation (FIFO queueing); set by the store.
	Seq int64 `json:"-"`
	// StoredState is the state as last loaded or stored; set by the store.
	StoredState string `json:"-"`
	// Stored is the row's indexed columns as last loaded or stored (nil
	// when unknown); set by the store, which leaves them and their indexes
	// alone when an update does not change them.
	Stored *ExecutionColumns `json:"-"`
}

// ExecutionColumns are the indexed columns a store keeps beside an
// execution's body; all of them derive from the execution.
type ExecutionColumns struct {
	State       string
	TriggeredID string // the current task's
	HoldsSlot   bool
}

// Columns returns e's indexed columns as they are now.
func (e *SequenceExecution) Columns() ExecutionColumns {
	return ExecutionColumns{State: e.Status.State, TriggeredID: e.Status.CurrentTask.TriggeredID, HoldsSlot: e.HoldsSlot()}
}

// ColumnsChanged reports whether e's indexed columns may differ from its
// stored row's: they changed, or the row's are unknown.
func (e *SequenceExecution) ColumnsChanged() bool {
	return e.Stored == nil || *e.Stored != e.Columns()
}

// MarkStored records that e was loaded from or written to its row.
func (e *SequenceExecution) MarkStored() {
	c := e.Columns()
	e.StoredState, e.Stored = c.State, &c
}

// SequenceStatus is the execution's progress.
type SequenceStatus struct {
	State            string       `json:"state"`
	StateBeforePause string       `json:"stateBeforePause,omitempty"`
	PreviousTasks    []TaskResult `json:"previousTasks"`
	CurrentTask      TaskState    `json:"currentTask"`
}

// TaskResult is a completed task.
type TaskResult struct {
	Name        string         `json:"name"`
	TriggeredID string         `json:"triggeredID"`
	Result      string         `json:"result"`
	Status      string         `json:"status"`
	Properties  map[string]any `json:"properties"`
}

// TaskState is the task in flight: its .triggered id (empty until
// dispatched) and the correlated events received so far.
type TaskState struct {
	Name        string      `json:"name"`
	TriggeredID string      `json:"triggeredID"`
	Events      []TaskEvent `json:"events"`
}

// TaskEvent is a .started, .status.changed or .finished event of a task.
type TaskEvent struct {
	EventType  string         `json:"eventType"`
	Source     string         `json:"source"`
	Result     string         `json:"result,omitempty"`
	Status     string         `json:"status,omitempty"`
	Time       string         `json:"time"`
	Properties map[string]any `json:"properties,omitempty"`
}

// SequenceScope identifies the execution.
type SequenceScope struct {
	Project      string            `json:"project"`
	Stage        string            `json:"stage"`
	Service      string            `json:"service"`
	Labels       map[string]string `json:"labels,omitempty"`
	Result       string            `json:"result,omitempty"`
	Status       string            `json:"status,omitempty"`
	Message      string            `json:"message,omitempty"`
	KeptnContext string            `json:"keptnContext"`
	TriggeredID  string            `json:"triggeredId"`
	GitCommitID  string            `json:"gitcommitid,omitempty"`
	EventType    string            `json:"eventType"`
}

// ExecutionExtra is baton's own bookkeeping of an execution.
type ExecutionExtra struct {
	// TaskIndex is the index of the current task in Sequence.Tasks.
	TaskIndex int `json:"taskIndex"`
	// Started and Finished count the current task's .started and .finished
	// events (a .finished without an unmatched .started counts as both).
	Started  int `json:"started"`
	Finished int `json:"finished"`
	// DispatchDue is when a triggeredAfter-delayed task is due (zero if none).
	DispatchDue time.Time `json:"dispatchDue,omitzero"`
	// Deadline is when the current task times out (zero if it cannot).
	Deadline time.Time `json:"deadline,omitzero"`
	// TimerDue is the due time of the earliest timer armed (zero if none).
	TimerDue time.Time `json:"timerDue,omitzero"`
	// EndedAt is when the execution reached a final state.
	EndedAt           time.Time         `json:"endedAt,omitzero"`
	Image             string            `json:"image,omitempty"`
	LatestEvent       *SequenceEventRef `json:"latestEvent,omitempty"`
	LatestFailedEvent *SequenceEventRef `json:"latestFailedEvent,omitempty"`
	LatestEvaluation  *EvalBrief        `json:"latestEvaluation,omitempty"`
}

// SequenceEventRef points at an event (Keptn's SequenceStateEvent).
type SequenceEventRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Time string `json:"time"`
}

// EvalBrief is the result of the latest evaluation of a stage.
type EvalBrief struct {
	Result string  `json:"result"`
	Score  float64 `json:"score"`
}

// Ended reports whether the execution reached a final state.
func (e *SequenceExecution) Ended() bool {
	switch e.Status.State {
	case StateFinished, StateAborted, StateTimedOut:
		return true
	}
	return false
}

// HoldsSlot reports whether the execution occupies its project/stage/service
// slot (only one execution runs per slot; the others wait).
func (e *SequenceExecution) HoldsSlot() bool {
	st := e.Status.State
	if st == StatePaused {
		st = e.Status.StateBeforePause
	}
	return st == StateStarted || st == StateWaitingForApproval
}

// SequenceContext is the per-keptnContext summary behind GET /sequence.
type SequenceContext struct {
	KeptnContext string
	Project      string
	Service      string
	Name         string // the sequence that started the context
	Time         time.Time
	State        string
}

// OpenEvent is an open .triggered event, served by GET /event/triggered.
type OpenEvent struct {
	ID          string // event id
	Type        string
	Project     string
	Stage       string
	Service     string
	ExecutionID string
	Due         time.Time
}

// SequenceTx is the write side of sequence executions inside a transaction.
type SequenceTx interface {
	// Execution returns the execution with the given id, or nil.
	Execution(id string) (*SequenceExecution, error)
	// ExecutionByTask returns the execution whose current task has the given
	// .triggered id, or nil.
	ExecutionByTask(triggeredID string) (*SequenceExecution, error)
	// ActiveExecutions returns the executions of project (of its service,
	// when service is not empty) that have not ended, in creation order.
	ActiveExecutions(project, service string) ([]*SequenceExecution, error)
	// EndJobs marks pending outbox jobs of kind whose payload carries an
	// event ({"event":{"data":{"project",...}}}) of project (and service,
	// when not empty) dead with reason, and returns how many it ended.
	EndJobs(kind, project, service, reason string) (int, error)
	// ExecutionsByContext returns a keptnContext's executions in creation order.
	ExecutionsByContext(keptnContext string) ([]*SequenceExecution, error)
	// PutExecution inserts or updates e (setting e.Seq on insert).
	PutExecution(e *SequenceExecution) error
	// SlotTaken reports whether an execution other than exceptID holds the
	// project/stage/service slot.
	SlotTaken(project, stage, service, exceptID string) (bool, error)
	// HasWaiting reports whether executions wait for the slot.
	HasWaiting(project, stage, service string) (bool, error)
	// NextWaiting returns the oldest execution in state waiting, or nil.
	NextWaiting(project, stage, service string) (*SequenceExecution, error)
	// PutSequenceContext records c; on an existing context only State changes.
	PutSequenceContext(c SequenceContext) error
	// AddOpenEvent marks a .triggered event open; DeleteOpenEvent closes it.
	AddOpenEvent(o OpenEvent) error
	DeleteOpenEvent(id string) error
	// CancelTimers drops pending outbox timers of kind with the given key.
	CancelTimers(kind, key string) error
	// SetPaused records (or clears) a pause of a context, for one stage or
	// for all stages (stage "").
	SetPaused(keptnContext, stage string, paused bool) error
	// Paused reports whether a context is paused for the stage or for all.
	Paused(keptnContext, stage string) (bool, error)
}

// SequenceStore is the read side of sequence executions.
type SequenceStore interface {
	// SequenceContexts lists contexts matching f, newest first, with the total.
	SequenceContexts(ctx context.Context, f SequenceFilter) ([]SequenceContext, int, error)
	// ContextExecutions returns the executions of the given contexts.
	ContextExecutions(ctx context.Context, keptnContexts []string) ([]*SequenceExecution, error)
	// Executions lists executions matching f in creation order, with the total.
	Executions(ctx context.Context, f ExecutionFilter) ([]*SequenceExecution, int, error)
	// OpenEvents lists open, due .triggered events matching f, oldest first,
	// with the total.
	OpenEvents(ctx context.Context, f OpenEventFilter) ([]json.RawMessage, int, error)
	// ProjectKnown reports whether a project exists.
	ProjectKnown(ctx context.Context, project string) (bool, error)
}

// SequenceFilter is the query of GET /sequence/{project}.
type SequenceFilter struct {
	Project      string
	Name         string
	State        string
	FromTime     time.Time
	BeforeTime   time.Time
	KeptnContext []string
	// Stage, Service and Result keep contexts with an execution in that
	// stage, for that service, with that result (the Bridge's filters;
	// empty matches all).
	Stage, Service, Result string
	Offset                 int
	Limit                  int
}

// ExecutionFilter is the query of GET /sequence-execution.
type ExecutionFilter struct {
	Project, Stage, Service, Name, State, KeptnContext string
	Offset, Limit                                      int
}

// OpenEventFilter is the query of GET /event/triggered/{eventType}.
type OpenEventFilter struct {
	Type                    string
	Project, Stage, Service string
	EventID                 string
	Now                     time.Time // only events due by now
	Offset, Limit           int
}

// PageTotal is the total count of a listing whose page at offset, at most
// limit long, returned n rows, when the page itself tells it: a short page
// that is not past the end. ok is false when a count query is needed.
func PageTotal(offset, limit, n int) (total int, ok bool) {
	if limit > 0 && n < limit && (n > 0 || offset == 0) {
		return offset + n, true
	}
	return 0, false
}
