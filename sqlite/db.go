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

	"github.com/batonhq/baton/health"
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
	// FullCheckAbove is the file size above which Open runs only SQLite's
	// quick_check and leaves the full integrity_check to StartFullCheck
	// (default DefaultFullCheckAbove).
	FullCheckAbove int64
	// OnCorrupt, if set, is told once when the store finds damage after
	// Open (the background check, a write): from then on it refuses writes.
	OnCorrupt func(detail string)
	// OnCheckpoint, if set, observes every background checkpoint: the
	// frames in the write-ahead log, how many of them it copied, how long
	// it took and its error.
	OnCheckpoint func(frames, copied int, took time.Duration, err error)

	// walCap, for tests, replaces walCapPages.
	walCap int
	// walGrowFrom, for tests, replaces walGrowFrom.
	walGrowFrom int
	// plainVFS, for tests, opens a FULL store without baton-wal.
	plainVFS bool
	// lastFlushEvery, for tests, replaces lastEventsFlushEvery.
	lastFlushEvery int
}

// DB is an open baton database.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	opts  Options

	conn       *sql.Conn // the writer's connection: only the writer goroutine uses it
	stmts      map[string]*sql.Stmt
	ops        chan *writeOp
	outboxWake chan struct{}
	closeOnce  sync.Once
	closed     chan struct{}
	submit     sync.RWMutex  // held shared while a Write submits; Close takes it to stop submissions
	stopWrite  chan struct{} // closed once no Write can submit any more: the writer drains and stops
	done       chan struct{}
	cond       condition
	// fullCheckDue: Open ran only the quick check; StartFullCheck runs the
	// full one.
	fullCheckDue bool
	startCheck   string
	bg           sync.WaitGroup // the background integrity check
	readCache    readStmts
	levels       levelCache // the writer goroutine's (levelcache.go)
	facts        factCache  // the writer goroutine's (factcache.go)

	ckpt     *sql.DB // the background checkpointer's connection (checkpoint.go)
	ckptWake chan struct{}
	wal      *walGrower // the writer's (walgrow.go)

	// The rows of service_last_events not yet written (keptn_last_events.go).
	last lastEvents
}

type writeOp struct {
	db    *DB
	ctx   context.Context
	fn    func(*Tx) error
	err   error
	after []func()
	// unordered runs on the caller's goroutine once it has its answer
	// (Tx.AfterCommitUnordered).
	unordered []func()
	done      chan struct{}
	// last holds the scoped events this call stored, for the group's
	// service_last_events rows (keptn_last_events.go); reset on every run.
	last []lastEvent
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
	if opts.FullCheckAbove <= 0 {
		opts.FullCheckAbove = DefaultFullCheckAbove
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+opts.Synchronous+")")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)") // savepoint sub-journals in memory, not temp files
	if opts.Synchronous == "FULL" && !opts.plainVFS {
		// Gather each commit's writes to the log (walvfs.go).
		if err := useWALVFS(); err != nil {
			return nil, err
		}
		q.Add("vfs", walVFSName)
	}
	dsn := "file:" + path + "?" + q.Encode()

	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// Opening reads the schema: damage there is found before the check.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		if damaged(err) {
			return nil, integrityError(path, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	check, err := checkAtStart(ctx, w, path, opts.FullCheckAbove)
	if err != nil {
		w.Close()
		return nil, err
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		if damaged(err) { // what a quick check of a large file can miss
			return nil, integrityError(path, err)
		}
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
		stopWrite:  make(chan struct{}),
		done:       make(chan struct{}),
		ckptWake:   make(chan struct{}, 1),
	}
	if db.conn, err = w.Conn(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	fail := func(err error) (*DB, error) {
		db.conn.Close()
		w.Close()
		r.Close()
		if db.ckpt != nil {
			db.ckpt.Close()
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// The writer checkpoints only as the log's bound; the checkpointer does
	// it in the background (checkpoint.go).
	if opts.walCap <= 0 {
		opts.walCap = walCapPages
	}
	if _, err := db.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", opts.walCap)); err != nil {
		return fail(err)
	}
	var pageSize int
	if err := db.conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return fail(err)
	}
	if db.ckpt, err = sql.Open("sqlite", dsn); err != nil {
		return fail(err)
	}
	ckConn, err := db.ckpt.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	db.stmts = map[string]*sql.Stmt{}
	if err := db.loadLastEvents(ctx); err != nil {
		return fail(err)
	}
	db.wal = newWALGrower(path+"-wal", opts.walCap, pageSize)
	if opts.walGrowFrom > 0 {
		db.wal.from = int64(opts.walGrowFrom)
	}
	db.startCheck, db.fullCheckDue = check, check == "quick_check"
	go db.writer()
	db.bg.Add(1)
	go db.checkpointer(ckConn)
	return db, nil
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

// Reader returns the read-only connection pool. Callers must not write with it.
func (db *DB) Reader() *sql.DB { return db.read }

// Close stops the writer after the transactions already submitted have
// committed, then closes the database.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.closed)
		db.submit.Lock() // no Write is between its closed check and its submission
		close(db.stopWrite)
		db.submit.Unlock()
	})
	<-db.done
	db.bg.Wait()
	for _, st := range db.stmts {
		st.Close()
	}
	db.closeReadStmts()
	return errors.Join(db.wal.close(), db.conn.Close(), db.read.Close(), db.write.Close(), db.ckpt.Close())
}

// wakeOutbox signals the outbox worker without blocking.
func (db *DB) wakeOutbox() {
	select {
	case db.outboxWake <- struct{}{}:
	default:
	}
}

// Tx is a write transaction handed to Write's function. Its Exec and Query
// methods reuse prepared statements across transactions (the writer owns one
// connection), so SQL text is parsed once, not on every call.
type Tx struct {
	db *DB
	op *writeOp
}

// AfterCommit registers f to run after the transaction has committed
// durably. Use it to wake workers; f must not block.
func (tx *Tx) AfterCommit(f func()) { tx.op.after = append(tx.op.after, f) }

// AfterCommitUnordered registers f to run after the transaction has
// committed durably, like AfterCommit, but on the goroutine that called
// Write, once it has its answer, rather than on the writer between the
// commit and the next group: so in no particular order with the functions
// of other transactions. It is for work no later transaction or caller
// depends on, such as a log line, which would otherwise hold up every
// caller behind it.
func (tx *Tx) AfterCommitUnordered(f func()) { tx.op.unordered = append(tx.op.unordered, f) }

// Exec runs a statement.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(context.Background(), query, args...)
}

// ExecContext runs a statement.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.db.conn.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// Query runs a query.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(context.Background(), query, args...)
}

// QueryContext runs a query.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.db.conn.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRow runs a query returning at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.QueryRowContext(context.Background(), query, args...)
}

// QueryRowContext runs a query returning at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.db.stmt(ctx, query)
	if err != nil || st == nil {
		return tx.db.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// execCached runs a fixed statement of the writer through the cache.
func (db *DB) execCached(ctx context.Context, query string) (sql.Result, error) {
	st, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return db.conn.ExecContext(ctx, query)
	}
	return st.ExecContext(ctx)
}

// maxCachedStmts bounds the statement cache; queries built with variable
// IN-lists beyond it simply run unprepared.
const maxCachedStmts = 512

// stmt returns the cached prepared statement for query, preparing it on the
// writer's connection; nil when the cache is full. Only the writer goroutine
// calls it.
func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts[query]; ok {
		return st, nil
	}
	if len(db.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := db.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.stmts[query] = st
	return st, nil
}

// Write runs fn in a write transaction and returns after the transaction has
// committed (nil) or been rolled back (fn's error). Concurrent calls share a
// commit. fn may run more than once (when another call of its group fails,
// see commit), so it must only assign, not accumulate, what it hands out,
// and leave work for after the commit to AfterCommit. fn must not keep tx
// after it returns.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	op := &writeOp{db: db, ctx: ctx, fn: fn, done: make(chan struct{})}
	if db.cond.corrupt.Load() {
		return health.ErrCorrupt
	}
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
	// Once submitted we wait for the outcome even if ctx ends: the caller must
	// learn whether the change committed. The writer finishes every submitted
	// operation before it stops.
	<-op.done
	if op.err == nil {
		for _, f := range op.unordered {
			f()
		}
	}
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
		case <-db.stopWrite:
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

// commit runs batch in one transaction and commits it. The calls run
// first one after another without savepoints: a savepoint per call would
// make SQLite copy every page a call is first to change aside (into the
// statement journal), and the calls of a group mostly change the same
// pages. Should a call fail, that run is rolled back whole and the batch
// runs again with each call in a savepoint of its own, so a failing call
// rolls back alone, and the others run twice: as on PostgreSQL, a write
// function must only assign, not accumulate, what it hands out.
func (db *DB) commit(batch []*writeOp) {
	defer db.levels.groupEnded()
	defer db.facts.groupEnded()
	if db.runGroup(batch, false) {
		return
	}
	for _, op := range batch {
		op.err, op.after, op.unordered = nil, nil, nil
	}
	db.runGroup(batch, true)
}

// runGroup runs the calls of batch in one transaction, each in a savepoint
// of its own if savepoints is set, and commits it. Without savepoints a
// failing call rolls the transaction back: a call alone in its batch then
// gets its error, while a larger batch answers no one and runGroup returns
// false (commit runs it again with savepoints). Otherwise every call is
// answered and runGroup returns true.
func (db *DB) runGroup(batch []*writeOp, savepoints bool) bool {
	ctx := context.Background()
	start := time.Now()
	if _, err := db.execCached(ctx, "BEGIN IMMEDIATE"); err != nil {
		finish(batch, db.classify(fmt.Errorf("begin: %w", err)))
		return true
	}
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		op.err = db.classify(db.runOp(ctx, op, savepoints))
		if op.err == nil {
			continue
		}
		if _, ok := health.Unavailable(op.err); ok {
			// SQLite may have rolled the whole transaction back: fail the
			// batch rather than let later operations run outside it.
			_, _ = db.conn.ExecContext(ctx, "ROLLBACK")
			finish(batch, op.err)
			return true
		}
		if savepoints {
			continue // its savepoint rolled back; the others go on
		}
		// Without a savepoint the whole transaction rolls back.
		if _, err := db.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			finish(batch, errors.Join(op.err, db.classify(fmt.Errorf("rollback: %w", err))))
			return true
		}
		if len(batch) > 1 {
			return false
		}
		op.after, op.unordered = nil, nil
		close(op.done)
		return true
	}
	if err := db.flushLastEvents(ctx); err != nil {
		_, _ = db.conn.ExecContext(ctx, "ROLLBACK")
		finish(batch, db.classify(err))
		return true
	}
	if _, err := db.execCached(ctx, "COMMIT"); err != nil {
		_, _ = db.conn.ExecContext(ctx, "ROLLBACK")
		finish(batch, db.classify(fmt.Errorf("commit: %w", err)))
		return true
	}
	db.lastEventsCommitted(batch)
	db.cond.diskFull.Store(false)
	db.wakeCheckpointer()
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
	db.wal.grow() // after the answers: the next group waits for it, not this one
	return true
}

func finish(batch []*writeOp, err error) {
	for _, op := range batch {
		op.err = err
		close(op.done)
	}
}

// runOp runs one caller's function, inside a savepoint if savepoint is
// set. Without one, the caller must roll the transaction back when runOp
// fails.
func (db *DB) runOp(ctx context.Context, op *writeOp, savepoint bool) (err error) {
	op.last = op.last[:0]
	if !savepoint {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("sqlite: write transaction panicked: %v", p)
			}
		}()
		return op.fn(&Tx{db: db, op: op})
	}
	if _, err := db.execCached(ctx, "SAVEPOINT op"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: write transaction panicked: %v", p)
		}
		if err != nil {
			op.after, op.unordered, op.last = nil, nil, nil
			if _, rerr := db.execCached(ctx, "ROLLBACK TO op"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
			}
		}
		if _, rerr := db.execCached(ctx, "RELEASE op"); rerr != nil && err == nil {
			err = fmt.Errorf("release savepoint: %w", rerr)
		}
	}()
	return op.fn(&Tx{db: db, op: op})
}
