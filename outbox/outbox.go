// Package outbox runs the work that committed changes cause: HTTP calls,
// queue sends and timers, recorded in the store's outbox in the same
// transaction as the change.
//
// Delivery is at least once. A Worker claims due items with a lease, hands each
// to the Handler registered for its kind, records the attempt (status,
// latency, response excerpt) and either completes the item, schedules a retry
// with capped exponential backoff and jitter, or parks it as dead, from where
// it can be replayed. Workers are woken by commits, not by polling ticks; the
// only timer is the next due time.
//
// A handler's domain consequence (a task's .finished event) travels in its
// Result as an Effect that the store runs inside the transaction recording
// the outcome, so the two commit together. Outcomes are recorded in batches:
// every outcome that arrives while one batch commits goes into the next.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/batonhq/baton/clock"
)

// States of an outbox item.
type State string

// Item states.
const (
	StatePending State = "pending"
	StateRunning State = "running"
	StateDone    State = "done"
	StateDead    State = "dead"
)

// Errors returned by Store methods.
var (
	ErrNotFound = errors.New("outbox: item not found")
	ErrNotDead  = errors.New("outbox: item is not dead")
	// ErrAlreadyApplied is returned by an Effect whose change an earlier
	// attempt already made: the Effect's changes roll back and the outcome
	// is recorded all the same.
	ErrAlreadyApplied = errors.New("outbox: effect already applied")
)

// Tx is the write transaction an outcome is recorded in, as the store hands
// it to an Effect. An Effect reaches its own domain's store through an
// adapter of the engine (the server wires one), so that domain changes and
// the outcome commit together.
type Tx interface {
	// AfterCommit registers f to run once the transaction is durable.
	AfterCommit(f func())
}

// Effect is domain work a handler's outcome carries, for example a task's
// .finished event: the store runs it inside the transaction that records
// the outcome, so the two commit together or not at all. The store may run
// it more than once (a transaction retried, a batch run again because
// another effect failed); only its last run's changes and after-commit
// functions count, so it acts on the world through tx alone.
type Effect func(ctx context.Context, tx Tx) error

// EffectError is the per-outcome error of Store.Complete when the outcome's
// Effect failed: its changes were rolled back and the outcome was not
// recorded.
type EffectError struct{ Err error }

func (e *EffectError) Error() string { return "outbox effect: " + e.Err.Error() }
func (e *EffectError) Unwrap() error { return e.Err }

// Outcome is the result of one attempt as the worker records it.
type Outcome struct {
	ID      int64
	Attempt Attempt
	Next    State     // done, pending (a retry) or dead
	Due     time.Time // the retry time when Next is pending
	Effect  Effect    // optional; runs in the recording transaction
}

// Item is claimed work.
type Item struct {
	ID       int64
	Kind     string
	Key      string // idempotency key for the receiver
	Payload  []byte
	Attempts int // including the current one
	Created  time.Time
	// Final is set on the last attempt the policy allows: a failure now parks
	// the item dead, so handlers can report the failure to their domain.
	Final bool
}

// Attempt records one try.
type Attempt struct {
	Started time.Time
	Latency time.Duration
	Status  int    // HTTP status, if any
	Error   string // empty on success; never contains secrets
	Excerpt string // start of the response
}

// Record is an item with its history, for the API.
type Record struct {
	ID        int64
	Kind      string
	Key       string
	Payload   []byte
	State     State
	Attempts  int
	Due       time.Time
	LastError string
	Created   time.Time
	Updated   time.Time
	History   []Attempt
}

// Result is what a Handler reports.
type Result struct {
	Attempt
	// Permanent marks a failure that retrying cannot fix: the item goes dead at once.
	Permanent bool
	// Failed marks the attempt as failed (Error should say why).
	Failed bool
	// Effect, if set, commits with the outcome (see Effect). If it fails,
	// the attempt is recorded as failed with its error and retried.
	Effect Effect
}

// Handler performs one item. It must respect ctx.
type Handler func(ctx context.Context, it Item) Result

// DeadHandler is told when an item is parked dead, inside no transaction; it
// lets a face react (for example a webhook task ends with result fail).
type DeadHandler func(ctx context.Context, it Item, last Result)

// Store is the storage the worker needs.
type Store interface {
	// Wake delivers a signal after a commit that enqueued work.
	Wake() <-chan struct{}
	// Recover makes items left running by a crashed process claimable again.
	Recover(ctx context.Context) error
	// Claim leases up to limit due items.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Item, error)
	// Finish records an attempt and moves the item to next (due is the retry time for pending).
	Finish(ctx context.Context, id int64, a Attempt, next State, due time.Time) error
	// Complete records several outcomes in one transaction, each with its
	// Effect. errs is nil or holds one entry per outcome: nil when it was
	// recorded, an *EffectError when its Effect failed (its changes are
	// rolled back, the outcome is not recorded), another error when the
	// outcome no longer counts (a lost lease). err is for the whole batch:
	// nothing was recorded.
	Complete(ctx context.Context, outs []Outcome) (errs []error, err error)
	// NextDue returns the earliest due time of a pending item.
	NextDue(ctx context.Context) (time.Time, bool, error)
	// Depth counts items per state.
	Depth(ctx context.Context) (map[State]int, error)
	// Replay makes a dead item pending again; ErrNotDead if it is not dead, ErrNotFound.
	Replay(ctx context.Context, id int64) error
	// Get returns one item with its attempts; ErrNotFound.
	Get(ctx context.Context, id int64) (*Record, error)
	// List returns items, newest first, without payloads or history.
	List(ctx context.Context, f Filter) ([]Record, int, error)
}

// Filter selects items for List; empty fields match everything.
type Filter struct {
	Kind   string
	State  State
	Offset int
	Limit  int
}

// DefaultMaxAttempts is how many attempts an item gets before it goes dead
// unless Policy.MaxAttempts says otherwise.
const DefaultMaxAttempts = 8

// Policy controls retries.
type Policy struct {
	MaxAttempts int           // attempts before an item goes dead (default 8)
	BaseDelay   time.Duration // first retry delay (default 500ms)
	MaxDelay    time.Duration // cap (default 5m)
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 5 * time.Minute
	}
	return p
}

// Backoff returns the delay before retry number attempt (1-based), with
// "equal jitter": half fixed, half random.
func (p Policy) Backoff(attempt int) time.Duration {
	p = p.withDefaults()
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	return half + rand.N(half+1)
}

// Worker runs outbox items.
//
// Items run on Config.Concurrency goroutines, at most that many at once. Their
// outcomes go to one completer that records every outcome waiting at that
// moment in one Store.Complete, so a busy worker spends one commit per batch
// of outcomes (and their effects), not one per item.
type Worker struct {
	store       Store
	clock       clock.Clock
	log         *slog.Logger
	policy      Policy
	concurrency int
	lease       time.Duration

	mu       sync.Mutex
	handlers map[string]Handler
	dead     map[string]DeadHandler
	freed    chan struct{}
	calls    chan struct{}   // one per item whose handler runs
	held     chan struct{}   // one per item claimed and not yet recorded
	outcomes chan completion // to the completer
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// completion is a finished run on its way to the store.
type completion struct {
	it     Item
	res    Result
	out    Outcome
	onDead DeadHandler
}

// Config configures a Worker.
type Config struct {
	Policy      Policy
	Concurrency int           // items run at once (default 64)
	Lease       time.Duration // how long a claim is held (default 2m)
}

// NewWorker returns a worker; register handlers, then Start it.
func NewWorker(store Store, clk clock.Clock, log *slog.Logger, cfg Config) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	return &Worker{
		store: store, clock: clk, log: log, policy: cfg.Policy.withDefaults(),
		concurrency: cfg.Concurrency, lease: cfg.Lease,
		handlers: map[string]Handler{}, dead: map[string]DeadHandler{},
		freed: make(chan struct{}, 1),
	}
}

// Handle registers h for items of kind, and optionally onDead.
func (w *Worker) Handle(kind string, h Handler, onDead DeadHandler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handlers[kind] = h
	if onDead != nil {
		w.dead[kind] = onDead
	}
}

// Start recovers interrupted items and runs the worker until ctx ends or Stop.
func (w *Worker) Start(ctx context.Context) error {
	if err := w.store.Recover(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
	w.calls = make(chan struct{}, w.concurrency)
	// Recording waits for a commit: let as many items again wait for it
	// while new ones run, so handlers need not idle on the store.
	w.held = make(chan struct{}, 2*w.concurrency)
	w.outcomes = make(chan completion, cap(w.held))
	// Items run on concurrency long-lived goroutines rather than one new
	// goroutine each: a handler's stack (an HTTP call, JSON, templates)
	// outgrows a new goroutine's, and growing it took as long as a
	// handler's own work in places. The calls slots keep a free runner or
	// room in work for every item the loop hands over.
	work := make(chan Item, w.concurrency)
	var runs sync.WaitGroup
	w.wg.Add(2 + w.concurrency)
	for range w.concurrency {
		go func() {
			defer w.wg.Done()
			for it := range work {
				w.run(ctx, it)
				runs.Done()
			}
		}()
	}
	go func() {
		defer w.wg.Done()
		w.loop(ctx, work, &runs)
		close(work)
		runs.Wait() // every run has handed over its outcome or given up
		close(w.outcomes)
	}()
	go func() {
		defer w.wg.Done()
		w.complete(ctx)
	}()
	return nil
}

// Stop stops claiming and waits for running items. It is safe to call twice.
func (w *Worker) Stop() {
	w.mu.Lock()
	cancel := w.cancel
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	w.wg.Wait()
}

func (w *Worker) loop(ctx context.Context, work chan<- Item, runs *sync.WaitGroup) {
	// due: items may be due that no claim has seen (at start, after a
	// wake-up or a timer, or when a claim was cut short by its limit). A
	// slot freed with nothing due needs no claim, which would find nothing.
	due := true
	for ctx.Err() == nil {
		free := min(cap(w.calls)-len(w.calls), cap(w.held)-len(w.held))
		var items []Item
		if free > 0 && due {
			var err error
			items, err = w.store.Claim(ctx, w.clock.Now(), free, w.lease)
			if err != nil && ctx.Err() == nil {
				w.log.Error("outbox claim failed", "err", err)
			}
			due = err != nil || len(items) == free
		}
		for _, it := range items {
			w.held <- struct{}{}
			w.calls <- struct{}{}
			runs.Add(1)
			it.Final = it.Attempts >= w.policy.MaxAttempts
			work <- it
		}
		if len(items) > 0 && len(items) == free {
			continue
		}
		if w.wait(ctx, free > len(items)) {
			due = true
		}
	}
}

// release frees a slot (of calls or held) and wakes the loop to claim again.
func (w *Worker) release(slots chan struct{}) {
	<-slots
	select {
	case w.freed <- struct{}{}:
	default:
	}
}

// wait blocks until there may be work: it reports true when items may
// have become due (a wake-up from the store, the next due time), false when
// a slot was freed.
func (w *Worker) wait(ctx context.Context, canClaim bool) bool {
	var timer <-chan time.Time
	if canClaim {
		if due, ok, err := w.store.NextDue(ctx); err == nil && ok {
			d := due.Sub(w.clock.Now())
			// Already due: wake at once. (A 1ms floor here never fires on
			// a fake clock that has already been advanced past due.)
			d = max(d, 0)
			timer = w.clock.After(d)
		}
	}
	select {
	case <-ctx.Done():
	case <-w.store.Wake():
	case <-w.freed:
		return false
	case <-timer:
	}
	return true
}

// run performs one item and hands its outcome to the completer.
func (w *Worker) run(ctx context.Context, it Item) {
	w.mu.Lock()
	h := w.handlers[it.Kind]
	onDead := w.dead[it.Kind]
	w.mu.Unlock()
	var res Result
	if h == nil {
		res = Result{Failed: true, Permanent: true, Attempt: Attempt{Started: w.clock.Now(), Error: "no handler for kind " + it.Kind}}
	} else {
		res = h(ctx, it)
	}
	w.release(w.calls)
	if ctx.Err() != nil {
		w.release(w.held)
		return // shutting down: the lease lapses and the item is retried
	}
	w.outcomes <- completion{it: it, res: res, out: w.outcome(it, res), onDead: onDead}
}

// outcome applies the retry policy to a result.
func (w *Worker) outcome(it Item, res Result) Outcome {
	o := Outcome{ID: it.ID, Attempt: res.Attempt, Next: StateDone, Effect: res.Effect}
	if res.Failed {
		if res.Permanent || it.Attempts >= w.policy.MaxAttempts {
			o.Next = StateDead
		} else {
			o.Next, o.Due = StatePending, w.clock.Now().Add(w.policy.Backoff(it.Attempts))
		}
	}
	return o
}

// maxCompleteBatch caps how many outcomes share one Store.Complete.
const maxCompleteBatch = 256

// complete records outcomes until the runs are over: every outcome waiting
// when the previous batch committed goes into the next one.
func (w *Worker) complete(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	batch := make([]completion, 0, maxCompleteBatch)
	for c := range w.outcomes {
		batch = append(batch[:0], c)
	fill:
		for len(batch) < maxCompleteBatch {
			select {
			case c, ok := <-w.outcomes:
				if !ok {
					break fill
				}
				batch = append(batch, c)
			default:
				break fill
			}
		}
		w.record(ctx, batch)
	}
}

// record stores a batch of outcomes. An outcome whose effect failed is
// recorded again as a failed attempt, without the effect, and retried.
func (w *Worker) record(ctx context.Context, batch []completion) {
	outs := make([]Outcome, len(batch))
	for i, c := range batch {
		outs[i] = c.out
	}
	errs, err := w.store.Complete(ctx, outs)
	var again []completion
	for i, c := range batch {
		e := err
		if e == nil && errs != nil {
			e = errs[i]
		}
		var ee *EffectError
		if errors.As(e, &ee) {
			c.res.Failed, c.res.Permanent, c.res.Effect = true, false, nil
			c.res.Error = ee.Error()
			c.out = w.outcome(c.it, c.res)
			again = append(again, c)
			continue
		}
		w.done(ctx, c, e)
	}
	if len(again) > 0 {
		w.record(ctx, again)
	}
}

// done finishes one run after its outcome was recorded (or failed to be).
func (w *Worker) done(ctx context.Context, c completion, err error) {
	defer w.release(w.held)
	if err != nil {
		w.log.Error("outbox finish failed", "id", c.it.ID, "kind", c.it.Kind, "err", err)
		return
	}
	if c.out.Next == StateDead {
		w.log.Warn("outbox item parked dead", "id", c.it.ID, "kind", c.it.Kind, "attempts", c.it.Attempts, "err", c.res.Error)
		if c.onDead != nil { // in a goroutine: it must not hold up other outcomes
			w.parkedDead(ctx, c.onDead, c.it, c.res)
		}
	}
}

// parkedDead tells onDead about an item parked dead, in a goroutine of its
// own. (A function of its own, so that only a dead item's values escape to
// the heap, not every completion done sees.)
func (w *Worker) parkedDead(ctx context.Context, onDead DeadHandler, it Item, res Result) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		onDead(ctx, it, res)
	}()
}
