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
)

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
	cancel   context.CancelFunc
	wg       sync.WaitGroup
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
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.loop(ctx)
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

func (w *Worker) loop(ctx context.Context) {
	sem := make(chan struct{}, w.concurrency)
	for ctx.Err() == nil {
		free := w.concurrency - len(sem)
		var items []Item
		if free > 0 {
			var err error
			items, err = w.store.Claim(ctx, w.clock.Now(), free, w.lease)
			if err != nil && ctx.Err() == nil {
				w.log.Error("outbox claim failed", "err", err)
			}
		}
		for _, it := range items {
			sem <- struct{}{}
			w.wg.Add(1)
			it.Final = it.Attempts >= w.policy.MaxAttempts
			go func(it Item) {
				defer func() { <-sem; w.wg.Done(); w.poke() }()
				w.run(ctx, it)
			}(it)
		}
		if len(items) > 0 && len(items) == free {
			continue
		}
		w.wait(ctx, len(sem) < w.concurrency)
	}
}

// poke wakes the loop when a running item finishes and frees a slot.
func (w *Worker) poke() {
	select {
	case w.freed <- struct{}{}:
	default:
	}
}

func (w *Worker) wait(ctx context.Context, canClaim bool) {
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
	case <-timer:
	}
}

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
	if ctx.Err() != nil {
		return // shutting down: the lease lapses and the item is retried
	}
	next, due := StateDone, time.Time{}
	if res.Failed {
		if res.Permanent || it.Attempts >= w.policy.MaxAttempts {
			next = StateDead
		} else {
			next, due = StatePending, w.clock.Now().Add(w.policy.Backoff(it.Attempts))
		}
	}
	if err := w.store.Finish(context.WithoutCancel(ctx), it.ID, res.Attempt, next, due); err != nil {
		w.log.Error("outbox finish failed", "id", it.ID, "kind", it.Kind, "err", err)
		return
	}
	if next == StateDead {
		w.log.Warn("outbox item parked dead", "id", it.ID, "kind", it.Kind, "attempts", it.Attempts, "err", res.Error)
		if onDead != nil {
			onDead(context.WithoutCancel(ctx), it, res)
		}
	}
}
