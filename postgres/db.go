package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("postgres: database closed")

// Options tune the store. The zero value is a sensible default.
type Options struct {
	// MaxConns caps the connection pool (default 16).
	MaxConns int32
	// Lease is how long an outbox claim is held before the owner must renew
	// it (default 30s); an item whose owner died is claimable after it.
	Lease time.Duration
	// Owner names this process on the outbox items it claims (default: a
	// random name per start). A stable, unique name per replica lets a
	// restarted replica take its own interrupted items back at once instead
	// of after their lease lapses; two live processes must never share one.
	Owner string
	// Poll is the slow poll behind LISTEN/NOTIFY wake-ups (default 2s).
	Poll time.Duration
	// OnCommit, if set, observes every commit: how many write transactions
	// it carried and how long BEGIN..COMMIT took.
	OnCommit func(ops int, took time.Duration)
	// Writers is how many group commits run at once, each on its own
	// connection (default 4).
	Writers int
	// MaxBatch caps how many concurrent Write calls share one commit
	// (default 64).
	MaxBatch int
}

// DB is an open baton database on PostgreSQL.
type DB struct {
	pool  *pgxpool.Pool
	opts  Options
	owner string // this process's identity on claimed outbox items

	hub        *hub
	clock      *Clock
	ops        chan *writeOp // Write calls waiting for a group commit
	submit     sync.RWMutex  // held shared while a Write submits; Close takes it to stop submissions
	stopWrite  chan struct{} // closed once no Write can submit any more
	writers    sync.WaitGroup
	outboxWake chan struct{}
	closeOnce  sync.Once
	closed     chan struct{}
	done       sync.WaitGroup
}

// Open connects to the database at url (postgres://…), applies pending
// migrations under an advisory lock and starts the listener that carries
// other replicas' wake-ups.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Writers <= 0 {
		opts.Writers = 4
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 64
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database url: %w", redact(err))
	}
	cfg.MaxConns = opts.MaxConns
	if _, set := cfg.ConnConfig.RuntimeParams["synchronous_commit"]; !set {
		// An acknowledgement means the commit is on disk, whatever the
		// server's default; a URL may still ask for less on purpose.
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	if opts.Owner == "" {
		b := make([]byte, 8)
		rand.Read(b)
		opts.Owner = hex.EncodeToString(b)
	}
	db := &DB{pool: pool, opts: opts, owner: opts.Owner, closed: make(chan struct{}),
		outboxWake: make(chan struct{}, 1), ops: make(chan *writeOp, opts.Writers*opts.MaxBatch),
		stopWrite: make(chan struct{})}
	db.clock = &Clock{}
	if err := db.syncClock(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: read the database clock: %w", err)
	}
	db.hub = newHub(pool, cfg.ConnConfig, opts.Poll)
	db.Subscribe(ChannelOutbox, func(string) { db.wakeOutbox() })
	db.writers.Add(opts.Writers)
	for range opts.Writers {
		go func() { defer db.writers.Done(); db.writer() }()
	}
	db.done.Add(4)
	go func() { defer db.done.Done(); db.syncClocks() }()
	go func() { defer db.done.Done(); db.hub.run(db.closed) }()
	go func() { defer db.done.Done(); db.renewLeases() }()
	go func() { defer db.done.Done(); db.duties() }()
	return db, nil
}

// redact keeps a connection error but drops the URL (it may hold a password).
func redact(err error) error {
	var pe *pgconn.ConnectError
	if errors.As(err, &pe) {
		return errors.New("cannot reach the database: " + errors.Unwrap(pe).Error())
	}
	var pe2 *pgconn.ParseConfigError
	if errors.As(err, &pe2) {
		return errors.New("the database URL is not valid")
	}
	return err
}

// Pool returns the connection pool (for tests and tools).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Owner returns the identity this process claims outbox items under.
func (db *DB) Owner() string { return db.owner }

// Close stops the listener and the lease renewal, gives the outbox items
// this process holds back, and closes the pool. Stop the outbox worker first.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closed)
		db.submit.Lock() // no Write is between its closed check and its submission
		close(db.stopWrite)
		db.submit.Unlock()
	})
	db.writers.Wait()
	db.done.Wait()
	db.releaseLeases()
	db.pool.Close()
	return nil
}

// releaseLeases hands the items this process still holds back to the
// others, so a stopped replica's unfinished work runs at once elsewhere
// instead of after its lease lapses. Call it only when nothing of this
// process runs items any more.
func (db *DB) releaseLeases() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET state = 'pending', owner = '', lease_until = 0
		WHERE owner = $1 AND state = 'running'`, db.owner)
	if err == nil && tag.RowsAffected() > 0 {
		_, _ = db.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelOutbox, PayloadChanged)
	}
}

// Tx is a write transaction handed to Write's function.
type Tx struct {
	db     *DB
	tx     pgx.Tx
	ctx    context.Context
	after  []func()
	notify []note
}

// AfterCommit registers f to run after the transaction has committed. Use it
// to wake workers; f must not block.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// AfterCommitUnordered registers f to run after the transaction has
// committed, in no particular order with other transactions' functions
// (the SQLite store runs it on the caller's goroutine, off its single
// writer). Here it runs with AfterCommit's: several writers commit at once,
// so no one writer holds up every caller.
func (tx *Tx) AfterCommitUnordered(f func()) { tx.AfterCommit(f) }

// Notify sends a NOTIFY on channel with payload once the transaction has
// committed, so listeners on every replica wake (throttled: see hub).
func (tx *Tx) Notify(channel, payload string) {
	tx.notify = append(tx.notify, note{channel, payload})
}

// Exec runs a statement.
func (tx *Tx) Exec(query string, args ...any) (pgconn.CommandTag, error) {
	return tx.tx.Exec(tx.ctx, query, args...)
}

// Query runs a query.
func (tx *Tx) Query(query string, args ...any) (pgx.Rows, error) {
	return tx.tx.Query(tx.ctx, query, args...)
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(query string, args ...any) pgx.Row {
	return tx.tx.QueryRow(tx.ctx, query, args...)
}

// maxRetries bounds how often Write reruns a transaction that lost a
// deadlock or a serialization conflict.
const maxRetries = 8

// Write runs fn in a transaction and returns after the transaction has
// committed (nil) or been rolled back (fn's error). Concurrent calls share a
// commit (see writer). A transaction that a deadlock or serialization
// failure aborted is run again, and so is one whose group commit another
// caller's error rolled back, so fn must only assign, not accumulate, what
// it hands out. fn must not keep tx, nor call Write itself.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.submit.RLock()
	select {
	case <-db.closed:
		db.submit.RUnlock()
		return ErrClosed
	default:
	}
	select {
	case db.ops <- op:
	case <-ctx.Done():
		db.submit.RUnlock()
		return ctx.Err()
	}
	db.submit.RUnlock()
	// Once submitted we wait for the outcome even if ctx ends: the caller
	// must learn whether the change committed. The writers finish every
	// submitted call before they stop.
	<-op.done
	return op.err
}

// writeOp is one Write call waiting for its commit.
type writeOp struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	err  error
	done chan struct{}
	tx   *Tx // the op's view of the group transaction, while it runs
}

// writer takes waiting Write calls, as many as are queued up to MaxBatch,
// and commits them together: one BEGIN, one COMMIT and one WAL flush for
// the group instead of one each, which is most of what a small write costs.
// Several writers run at once; PostgreSQL's row and advisory locks order
// the groups as they order single transactions.
func (db *DB) writer() {
	batch := make([]*writeOp, 0, db.opts.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-db.ops:
			batch = append(batch, op)
		case <-db.stopWrite:
			// Finish what was submitted before Close.
			for {
				select {
				case op := <-db.ops:
					db.commitGroup([]*writeOp{op})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < db.opts.MaxBatch {
			select {
			case op := <-db.ops:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		db.commitGroup(batch)
	}
}

// groupLockTimeout bounds how long a group waits for a lock. A group holds
// the locks of all its calls until it commits, so two groups could wait on
// each other where their single transactions would not; PostgreSQL would
// find that deadlock only after deadlock_timeout (1s by default). A group
// that waits longer than this is rolled back and its calls run again.
const groupLockTimeout = "200ms"

// commitGroup commits batch in one transaction. When a call in it fails
// (its own error, a conflict, a lock wait), the group is rolled back and
// runs again without it, and the failed call then runs in a transaction of
// its own, so each caller gets the outcome a lone transaction would have
// given it, in some order of the concurrent calls.
func (db *DB) commitGroup(batch []*writeOp) {
	live := batch[:0:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			close(op.done)
			continue
		}
		live = append(live, op)
	}
	var alone []*writeOp
	for len(live) > 1 {
		failed, err := db.writeGroup(live)
		if failed < 0 {
			for _, op := range live {
				op.err = err
				if err == nil {
					op.tx.committed()
				}
				op.tx = nil
				close(op.done)
			}
			live = nil
			break
		}
		live[failed].tx = nil
		alone = append(alone, live[failed])
		live = append(live[:failed:failed], live[failed+1:]...)
	}
	for _, op := range append(live, alone...) {
		op.err = db.writeAlone(op.ctx, op.fn)
		close(op.done)
	}
}

// writeGroup runs every call of batch in one transaction and commits it.
// When a call fails it rolls everything back and returns the call's index
// (0 when the transaction could not even begin); otherwise it returns -1
// and the commit's outcome, which is every call's.
func (db *DB) writeGroup(batch []*writeOp) (failed int, err error) {
	ctx := context.Background()
	start := time.Now()
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: "BEGIN; SET LOCAL lock_timeout = '" + groupLockTimeout + "'"})
	if err != nil {
		return 0, err // the first call, alone, meets it again and reports it
	}
	for i, op := range batch {
		op.tx = &Tx{db: db, tx: ptx, ctx: context.WithoutCancel(op.ctx)}
		if runFn(op.fn, op.tx) != nil {
			_ = ptx.Rollback(ctx)
			return i, nil
		}
	}
	if err := ptx.Commit(ctx); err != nil {
		_ = ptx.Rollback(ctx)
		return -1, fmt.Errorf("commit: %w", err)
	}
	if db.opts.OnCommit != nil {
		db.opts.OnCommit(len(batch), time.Since(start))
	}
	return -1, nil
}

// runFn calls fn, turning a panic into an error.
func runFn(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("postgres: write transaction panicked: %v", p)
		}
	}()
	return fn(tx)
}

// committed publishes the notifications and runs the after-commit functions
// of a call whose transaction committed.
func (tx *Tx) committed() {
	for _, n := range tx.notify {
		tx.db.hub.publish(n)
	}
	for _, f := range tx.after {
		f()
	}
}

// writeAlone runs fn in a transaction of its own, again after a deadlock or
// serialization failure.
func (db *DB) writeAlone(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.write(ctx, fn)
		if attempt < maxRetries && retryable(err) && ctx.Err() == nil {
			continue
		}
		return err
	}
}

func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) (err error) {
	start := time.Now()
	ptx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{db: db, tx: ptx, ctx: context.WithoutCancel(ctx)}
	defer func() {
		if err != nil {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := runFn(fn, tx); err != nil {
		return err
	}
	if err := ptx.Commit(tx.ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if db.opts.OnCommit != nil {
		db.opts.OnCommit(1, time.Since(start))
	}
	tx.committed()
	return nil
}

// retryable reports whether err is a deadlock or serialization failure, after
// which the whole transaction can simply run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// querier is what reads need: the pool, or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
