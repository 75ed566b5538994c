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
	// OnCommit, if set, observes every commit: one transaction and how long
	// BEGIN..COMMIT took.
	OnCommit func(ops int, took time.Duration)
}

// DB is an open baton database on PostgreSQL.
type DB struct {
	pool  *pgxpool.Pool
	opts  Options
	owner string // this process's identity on claimed outbox items

	hub        *hub
	clock      *Clock
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
		outboxWake: make(chan struct{}, 1)}
	db.clock = &Clock{}
	if err := db.syncClock(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: read the database clock: %w", err)
	}
	db.hub = newHub(pool, cfg.ConnConfig, opts.Poll)
	db.Subscribe(ChannelOutbox, func(string) { db.wakeOutbox() })
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
	db.closeOnce.Do(func() { close(db.closed) })
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
// committed (nil) or been rolled back (fn's error). A transaction that a
// deadlock or serialization failure aborted is run again, so fn must only
// assign, not accumulate, what it hands out. fn must not keep tx.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	select {
	case <-db.closed:
		return ErrClosed
	default:
	}
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
		if p := recover(); p != nil {
			err = fmt.Errorf("postgres: write transaction panicked: %v", p)
		}
		if err != nil {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := ptx.Commit(tx.ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if db.opts.OnCommit != nil {
		db.opts.OnCommit(1, time.Since(start))
	}
	for _, n := range tx.notify {
		db.hub.publish(n)
	}
	for _, f := range tx.after {
		f()
	}
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
