package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("sqlite: database closed")

// Options tune the store. The zero value is a sensible default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (default; every
	// acknowledged commit survives power loss) or "NORMAL" (survives a process
	// crash, may lose the last commits on power loss).
	Synchronous string
	// MaxBatch caps how many write transactions share one commit (default 256).
	MaxBatch int
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	// OnCommit, if set, observes every group commit: how many transactions it
	// carried and how long BEGIN..COMMIT took.
	OnCommit func(ops int, took time.Duration)
}

// DB is an open baton database.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	opts  Options

	ops        chan *writeOp
	outboxWake chan struct{}
	closeOnce  sync.Once
	closed     chan struct{}
	done       chan struct{}
}

type writeOp struct {
	db    *DB
	ctx   context.Context
	fn    func(*Tx) error
	err   error
	after []func()
	done  chan struct{}
}

// Open opens (creating if needed) the database file at path, applies pending
// migrations and starts the writer.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.Synchronous != "FULL" && opts.Synchronous != "NORMAL" {
		return nil, fmt.Errorf("sqlite: synchronous must be FULL or NORMAL, not %q", opts.Synchronous)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+opts.Synchronous+")")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()

	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(opts.ReadConns)
	r.SetMaxIdleConns(opts.ReadConns)

	db := &DB{
		path:       path,
		write:      w,
		read:       r,
		opts:       opts,
		ops:        make(chan *writeOp, 4*opts.MaxBatch),
		outboxWake: make(chan struct{}, 1),
		closed:     make(chan struct{}),
		done:       make(chan struct{}),
	}
	go db.writer()
	return db, nil
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Reader returns the read-only connection pool. Callers must not write with it.
func (db *DB) Reader() *sql.DB { return db.read }

// Close stops the writer after the transactions already submitted have
// committed, then closes the database.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closed) })
	<-db.done
	return errors.Join(db.read.Close(), db.write.Close())
}

// wakeOutbox signals the outbox worker without blocking.
func (db *DB) wakeOutbox() {
	select {
	case db.outboxWake <- struct{}{}:
	default:
	}
}

// Tx is a write transaction handed to Write's function. It embeds *sql.Tx.
type Tx struct {
	*sql.Tx
	op *writeOp
}

// AfterCommit registers f to run after the transaction has committed
// durably. Use it to wake workers; f must not block.
func (tx *Tx) AfterCommit(f func()) { tx.op.after = append(tx.op.after, f) }

// Write runs fn in a write transaction and returns after the transaction has
// committed (nil) or been rolled back (fn's error). Concurrent calls share a
// commit. fn must not keep tx after it returns.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	op := &writeOp{db: db, ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case <-db.closed:
		return ErrClosed
	default:
	}
	select {
	case db.ops <- op:
	case <-db.closed:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once submitted we wait for the outcome even if ctx ends: the caller must
	// learn whether the change committed.
	<-op.done
	return op.err
}

func (db *DB) writer() {
	defer close(db.done)
	batch := make([]*writeOp, 0, db.opts.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case op := <-db.ops:
			batch = append(batch, op)
		case <-db.closed:
			// Drain what was submitted before Close.
			for {
				select {
				case op := <-db.ops:
					batch = append(batch, op)
					if len(batch) == db.opts.MaxBatch {
						db.commit(batch)
						batch = batch[:0]
					}
				default:
					if len(batch) > 0 {
						db.commit(batch)
					}
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
		db.commit(batch)
	}
}

func (db *DB) commit(batch []*writeOp) {
	start := time.Now()
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		finish(batch, fmt.Errorf("begin: %w", err))
		return
	}
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		op.err = runOp(tx, op)
	}
	if err := tx.Commit(); err != nil {
		finish(batch, fmt.Errorf("commit: %w", err))
		return
	}
	if db.opts.OnCommit != nil {
		db.opts.OnCommit(len(batch), time.Since(start))
	}
	for _, op := range batch {
		if op.err == nil {
			for _, f := range op.after {
				f()
			}
		}
		close(op.done)
	}
}

func finish(batch []*writeOp, err error) {
	for _, op := range batch {
		op.err = err
		close(op.done)
	}
}

// runOp runs one caller's function inside a savepoint.
func runOp(tx *sql.Tx, op *writeOp) (err error) {
	if _, err := tx.Exec("SAVEPOINT op"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: write transaction panicked: %v", p)
		}
		if err != nil {
			op.after = nil
			if _, rerr := tx.Exec("ROLLBACK TO op"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
			}
		}
		if _, rerr := tx.Exec("RELEASE op"); rerr != nil && err == nil {
			err = fmt.Errorf("release savepoint: %w", rerr)
		}
	}()
	return op.fn(&Tx{Tx: tx, op: op})
}
