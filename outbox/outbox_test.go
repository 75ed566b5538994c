package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
)

type env struct {
	db    *sqlite.DB
	store *sqlite.OutboxStore
	clk   *clock.Fake
	w     *outbox.Worker
}

func newEnv(t *testing.T, policy outbox.Policy) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(time.Now())
	st := sqlite.NewOutboxStore(db)
	st.EarlyClaim = true // as the server runs it
	w := outbox.NewWorker(st, clk, slog.New(slog.NewTextHandler(io.Discard, nil)), outbox.Config{Policy: policy, Concurrency: 4})
	return &env{db: db, store: st, clk: clk, w: w}
}

func (e *env) enqueue(t *testing.T, kind, payload string, due time.Time) {
	t.Helper()
	if err := e.db.Write(context.Background(), func(tx *sqlite.Tx) error {
		return tx.Enqueue(sqlite.Job{Kind: kind, Key: "k-" + payload, Payload: []byte(payload), Due: due})
	}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) start(t *testing.T) {
	t.Helper()
	if err := e.w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.w.Stop)
}

func waitFor[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the worker")
	}
	var zero T
	return zero
}

func TestDeliversOnCommit(t *testing.T) {
	e := newEnv(t, outbox.Policy{})
	got := make(chan outbox.Item, 10)
	e.w.Handle("echo", func(ctx context.Context, it outbox.Item) outbox.Result {
		got <- it
		return outbox.Result{Attempt: outbox.Attempt{Status: 200}}
	}, nil)
	e.start(t)
	e.enqueue(t, "echo", "hello", time.Time{})
	it := waitFor(t, got)
	if string(it.Payload) != "hello" || it.Key != "k-hello" || it.Attempts != 1 {
		t.Fatalf("item = %+v", it)
	}
	// It is marked done (eventually, after the handler returns).
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := e.store.Get(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == outbox.StateDone {
			if len(r.History) != 1 || r.History[0].Status != 200 {
				t.Errorf("history = %+v", r.History)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %s, want done", r.State)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

func TestFutureDueWaitsForClock(t *testing.T) {
	e := newEnv(t, outbox.Policy{})
	got := make(chan outbox.Item, 10)
	e.w.Handle("timer", func(ctx context.Context, it outbox.Item) outbox.Result {
		got <- it
		return outbox.Result{}
	}, nil)
	e.start(t)
	e.enqueue(t, "timer", "later", e.clk.Now().Add(time.Hour))
	select {
	case <-got:
		t.Fatal("timer fired before its due time")
	case <-time.After(100 * time.Millisecond):
	}
	e.clk.Advance(time.Hour)
	if it := waitFor(t, got); string(it.Payload) != "later" {
		t.Fatalf("got %q", it.Payload)
	}
}

func TestRetryThenDeadThenReplay(t *testing.T) {
	e := newEnv(t, outbox.Policy{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: 4 * time.Second})
	attempts := make(chan int, 10)
	dead := make(chan outbox.Result, 1)
	var mu sync.Mutex
	fail := true
	e.w.Handle("flaky", func(ctx context.Context, it outbox.Item) outbox.Result {
		attempts <- it.Attempts
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return outbox.Result{Failed: true, Attempt: outbox.Attempt{Status: 503, Error: "service unavailable"}}
		}
		return outbox.Result{Attempt: outbox.Attempt{Status: 200}}
	}, func(ctx context.Context, it outbox.Item, last outbox.Result) { dead <- last })
	e.start(t)
	e.enqueue(t, "flaky", "x", time.Time{})
	if n := waitFor(t, attempts); n != 1 {
		t.Fatalf("first attempt = %d", n)
	}
	// Retries wait for their backoff on the clock; advance past the cap.
	for want := 2; want <= 3; want++ {
		var n int
		for n == 0 {
			e.clk.Advance(5 * time.Second)
			select {
			case n = <-attempts:
			case <-time.After(50 * time.Millisecond):
			}
		}
		if n != want {
			t.Fatalf("attempt %d, want %d", n, want)
		}
	}
	last := waitFor(t, dead)
	if last.Status != 503 || last.Error != "service unavailable" {
		t.Fatalf("dead result = %+v", last)
	}
	depth, _ := e.store.Depth(context.Background())
	if depth[outbox.StateDead] != 1 {
		t.Fatalf("depth = %v", depth)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	var id int64
	e.db.Reader().QueryRow(`SELECT id FROM outbox`).Scan(&id)
	if err := e.store.Replay(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if n := waitFor(t, attempts); n != 4 {
		t.Fatalf("replayed attempt = %d", n)
	}
	if err := e.store.Replay(context.Background(), id); !errors.Is(err, outbox.ErrNotDead) {
		// The item may still be running; then it is not dead either.
		t.Fatalf("replay of a live item: %v", err)
	}
	if _, err := e.store.Get(context.Background(), 999); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
}

func TestPermanentFailureGoesDeadAtOnce(t *testing.T) {
	e := newEnv(t, outbox.Policy{MaxAttempts: 5})
	dead := make(chan outbox.Item, 1)
	e.w.Handle("bad", func(ctx context.Context, it outbox.Item) outbox.Result {
		return outbox.Result{Failed: true, Permanent: true, Attempt: outbox.Attempt{Error: "refused target"}}
	}, func(ctx context.Context, it outbox.Item, last outbox.Result) { dead <- it })
	e.start(t)
	e.enqueue(t, "bad", "x", time.Time{})
	if it := waitFor(t, dead); it.Attempts != 1 {
		t.Fatalf("attempts = %d", it.Attempts)
	}
}

func TestRecoverAfterCrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := sqlite.NewOutboxStore(db)
	db.Write(context.Background(), func(tx *sqlite.Tx) error { return tx.Enqueue(sqlite.Job{Kind: "k", Payload: []byte("p")}) })
	// Claim it as a worker would, then "crash" without finishing.
	items, err := st.Claim(context.Background(), time.Now(), 10, time.Hour)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %v", items, err)
	}
	db.Close()

	db, err = sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := outbox.NewWorker(sqlite.NewOutboxStore(db), clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)), outbox.Config{})
	got := make(chan outbox.Item, 1)
	w.Handle("k", func(ctx context.Context, it outbox.Item) outbox.Result { got <- it; return outbox.Result{} }, nil)
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if it := waitFor(t, got); it.Attempts != 2 {
		t.Fatalf("recovered item attempts = %d, want 2", it.Attempts)
	}
}

// TestEffectCommitsWithOutcome: a result's effect commits with the
// outcome; a failing effect leaves no change, and the attempt is recorded
// as failed and retried.
func TestEffectCommitsWithOutcome(t *testing.T) {
	e := newEnv(t, outbox.Policy{BaseDelay: time.Second})
	attempts := make(chan int, 10)
	e.w.Handle("fx", func(ctx context.Context, it outbox.Item) outbox.Result {
		n := it.Attempts
		return outbox.Result{Attempt: outbox.Attempt{Status: 200}, Effect: func(ctx context.Context, tx outbox.Tx) error {
			if err := tx.(*sqlite.Tx).SetSetting("fx"+strconv.Itoa(n), "done"); err != nil {
				return err
			}
			defer func() { attempts <- n }()
			if n == 1 {
				return errors.New("domain says no")
			}
			return nil
		}}
	}, nil)
	e.start(t)
	e.enqueue(t, "fx", "x", time.Time{})
	if n := waitFor(t, attempts); n != 1 {
		t.Fatalf("first attempt = %d", n)
	}
	var n int
	for n <= 1 { // the retry waits for its backoff on the clock
		e.clk.Advance(time.Second)
		select {
		case n = <-attempts: // 1 again: the store may run an effect more than once
		case <-time.After(50 * time.Millisecond):
		}
	}
	if n != 2 {
		t.Fatalf("second attempt = %d", n)
	}
	var id int64
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.db.Reader().QueryRow(`SELECT id FROM outbox`).Scan(&id)
		r, err := e.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == outbox.StateDone {
			if len(r.History) != 2 || !strings.Contains(r.History[0].Error, "domain says no") || r.History[1].Error != "" {
				t.Errorf("history = %+v", r.History)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %s, want done", r.State)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
	if _, ok, err := e.db.Setting(context.Background(), "fx1"); err != nil || ok {
		t.Errorf("the failed effect's change is stored (%v)", err)
	}
	if v, _, err := e.db.Setting(context.Background(), "fx2"); err != nil || v != "done" {
		t.Errorf("the second effect's change = %q, %v", v, err)
	}
}

func TestBackoffIsCapped(t *testing.T) {
	p := outbox.Policy{BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	for attempt := 1; attempt < 20; attempt++ {
		d := p.Backoff(attempt)
		if d < 0 || d > 10*time.Second {
			t.Fatalf("attempt %d: %s", attempt, d)
		}
	}
	if d := p.Backoff(1); d < 500*time.Millisecond || d > time.Second {
		t.Fatalf("first backoff %s, want within [0.5s, 1s]", d)
	}
}
