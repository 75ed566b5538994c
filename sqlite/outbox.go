package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/batonhq/baton/outbox"
)

// Job is a unit of outbox work to enqueue.
type Job struct {
	Kind    string
	Key     string
	Payload []byte
	Due     time.Time
}

// Enqueue inserts job into the outbox as part of tx and wakes the outbox
// worker once tx commits.
func (tx *Tx) Enqueue(job Job) error {
	now := time.Now().UnixMilli()
	var due int64 // zero Due: due at once, whatever clock the worker runs on
	if !job.Due.IsZero() {
		due = job.Due.UnixMilli()
	}
	if _, err := tx.Exec(`INSERT INTO outbox (kind, key, payload, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		job.Kind, job.Key, job.Payload, due, now, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind, err)
	}
	tx.AfterCommit(tx.db.wakeOutbox)
	return nil
}

// OutboxStore implements outbox.Store on a DB.
type OutboxStore struct {
	db *DB
	// EarlyClaim lets Claim return before its claim is durable (see Claim).
	// Set it before use; the worker wants it, readers that must see the
	// claim at once (tests) do not.
	EarlyClaim bool

	mu        sync.Mutex
	lastClaim chan struct{} // closed when the last early claim has committed
}

// NewOutboxStore returns the outbox store of db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ outbox.Store = (*OutboxStore)(nil)

// Wake implements outbox.Store.
func (s *OutboxStore) Wake() <-chan struct{} { return s.db.outboxWake }

// Recover implements outbox.Store: with a single process owning the file, any
// item left running by a crash is pending again.
func (s *OutboxStore) Recover(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET state = 'pending', lease_until = 0 WHERE state = 'running'`)
		return err
	})
}

// Claim implements outbox.Store. One process owns a SQLite file, so items
// running in it are never taken over by lease expiry (a long webhook must not
// run twice); Recover makes a crashed process's items pending at start.
//
// For the same reason, with EarlyClaim, Claim returns as soon as the writer
// has marked the items running, without waiting for that to be durable (nor
// visible to readers): the single writer orders every later write (the
// outcome) after the claim, and a claim lost in a crash only means the items
// are pending again after Recover, which at-least-once delivery allows
// anyway. This keeps a commit (an fsync) out of the time from an enqueue to
// its call. The items themselves must be durable before they run, though (a
// call must never go out for a change that may still roll back): so the
// candidates are read on the read pool, which sees committed transactions
// only, and the writer claims those of them still pending. A claim that
// finds nothing due takes no write at all. Only if the claim's own commit
// fails (a full or failing disk) can its items be claimed, and run, again.
func (s *OutboxStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]outbox.Item, error) {
	if !s.EarlyClaim {
		var items []outbox.Item
		err := s.db.Write(ctx, func(tx *Tx) error {
			var err error
			items, err = claim(tx, now, limit, lease)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		return items, nil
	}
	// Until the last claim commits, readers see its items pending still:
	// wait for it, so this claim's candidates are not those.
	s.mu.Lock()
	last := s.lastClaim
	s.mu.Unlock()
	if last != nil {
		select {
		case <-last:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	ids, err := s.committedDue(ctx, now, limit)
	if err != nil || ids == nil {
		return nil, err
	}
	claimed := make(chan []outbox.Item, 1)
	done := make(chan error, 1)
	committed := make(chan struct{})
	s.mu.Lock()
	s.lastClaim = committed
	s.mu.Unlock()
	go func() {
		defer close(committed)
		done <- s.db.Write(ctx, func(tx *Tx) error {
			items, err := claimIDs(tx, ids, now, lease)
			if err != nil {
				return err
			}
			claimed <- items
			return nil
		})
	}()
	select {
	case items := <-claimed:
		return items, nil
	case err := <-done:
		select {
		case items := <-claimed: // committed before we looked
			return items, nil
		default:
		}
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
}

// committedDue returns, as a JSON array, the ids of up to limit committed
// items due at now; nil if there are none.
func (s *OutboxStore) committedDue(ctx context.Context, now time.Time, limit int) ([]byte, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id FROM outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer rows.Close()
	var ids []byte
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		if ids == nil {
			ids = append(ids, '[')
		} else {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, id, 10)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if ids != nil {
		ids = append(ids, ']')
	}
	return ids, nil
}

// claimIDs claims those of the items ids (a JSON array) that are pending.
func claimIDs(tx *Tx, ids []byte, now time.Time, lease time.Duration) ([]outbox.Item, error) {
	rows, err := tx.Query(`UPDATE outbox SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'
		RETURNING id, kind, key, payload, attempts, created_at`,
		now.Add(lease).UnixMilli(), now.UnixMilli(), string(ids))
	if err != nil {
		return nil, err
	}
	return scanItems(rows)
}

func claim(tx *Tx, now time.Time, limit int, lease time.Duration) ([]outbox.Item, error) {
	rows, err := tx.Query(`UPDATE outbox SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
		WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?)
		RETURNING id, kind, key, payload, attempts, created_at`,
		now.Add(lease).UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	return scanItems(rows)
}

func scanItems(rows *sql.Rows) ([]outbox.Item, error) {
	defer rows.Close()
	var items []outbox.Item
	for rows.Next() {
		var it outbox.Item
		var created int64
		if err := rows.Scan(&it.ID, &it.Kind, &it.Key, &it.Payload, &it.Attempts, &created); err != nil {
			return nil, err
		}
		it.Created = time.UnixMilli(created)
		items = append(items, it)
	}
	return items, rows.Err()
}

// Finish implements outbox.Store.
func (s *OutboxStore) Finish(ctx context.Context, id int64, a outbox.Attempt, next outbox.State, due time.Time) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		return recordOutcome(tx, outbox.Outcome{ID: id, Attempt: a, Next: next, Due: due}, time.Now().UnixMilli())
	})
}

// Complete implements outbox.Store: one write transaction records every
// outcome, each effect in a savepoint of its own so that a failing one rolls
// back alone.
func (s *OutboxStore) Complete(ctx context.Context, outs []outbox.Outcome) ([]error, error) {
	var errs []error
	err := s.db.Write(ctx, func(tx *Tx) error {
		errs = nil
		now := time.Now().UnixMilli()
		for i, o := range outs {
			if o.Effect != nil {
				if err := runEffect(ctx, tx, o.Effect); err != nil {
					if errs == nil {
						errs = make([]error, len(outs))
					}
					errs[i] = &outbox.EffectError{Err: err}
					continue
				}
			}
			if err := recordOutcome(tx, o, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complete outbox items: %w", err)
	}
	return errs, nil
}

// runEffect runs effect in a savepoint; on failure its changes and the
// wake-ups it registered are dropped. ErrAlreadyApplied counts as success.
func runEffect(ctx context.Context, tx *Tx, effect outbox.Effect) (err error) {
	if _, err := tx.Exec(`SAVEPOINT outbox_effect`); err != nil {
		return err
	}
	after := len(tx.op.after)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("effect panicked: %v", p)
		}
		if err != nil {
			tx.op.after = tx.op.after[:after]
			if _, rerr := tx.Exec(`ROLLBACK TO outbox_effect`); rerr != nil {
				err = errors.Join(err, rerr)
			}
			if errors.Is(err, outbox.ErrAlreadyApplied) {
				err = nil
			}
		}
		if _, rerr := tx.Exec(`RELEASE outbox_effect`); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return effect(ctx, tx)
}

// recordOutcome inserts the attempt and moves the item to its next state.
func recordOutcome(tx *Tx, o outbox.Outcome, now int64) error {
	a := o.Attempt
	if _, err := tx.Exec(`INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ID, a.Started.UnixMilli(), a.Latency.Microseconds(), a.Status, a.Error, a.Excerpt); err != nil {
		return err
	}
	var dueMS int64
	if !o.Due.IsZero() {
		dueMS = o.Due.UnixMilli()
	}
	_, err := tx.Exec(`UPDATE outbox SET state = ?, due_at = CASE WHEN ? > 0 THEN ? ELSE due_at END, lease_until = 0,
		last_error = ?, updated_at = ? WHERE id = ?`,
		string(o.Next), dueMS, dueMS, a.Error, now, o.ID)
	return err
}

// NextDue implements outbox.Store.
func (s *OutboxStore) NextDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, `SELECT min(due_at) FROM outbox WHERE state = 'pending'`).Scan(&due)
	if err != nil {
		return time.Time{}, false, err
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(due.Int64), true, nil
}

// Depth implements outbox.Store.
func (s *OutboxStore) Depth(ctx context.Context) (map[outbox.State]int, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[outbox.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[outbox.State(st)] = n
	}
	return out, rows.Err()
}

// Replay implements outbox.Store.
func (s *OutboxStore) Replay(ctx context.Context, id int64) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE outbox SET state = 'pending', due_at = 0, updated_at = ? WHERE id = ? AND state = 'dead'`,
			time.Now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return outbox.ErrNotDead
		}
		tx.AfterCommit(s.db.wakeOutbox)
		return nil
	})
}

// Get implements outbox.Store.
func (s *OutboxStore) Get(ctx context.Context, id int64) (*outbox.Record, error) {
	var r outbox.Record
	var due, created, updated int64
	var state string
	err := s.db.read.QueryRowContext(ctx, `SELECT id, kind, key, payload, state, attempts, due_at, last_error, created_at, updated_at
		FROM outbox WHERE id = ?`, id).Scan(&r.ID, &r.Kind, &r.Key, &r.Payload, &state, &r.Attempts, &due, &r.LastError, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, outbox.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.State = outbox.State(state)
	r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
	rows, err := s.db.read.QueryContext(ctx, `SELECT started_at, latency_us, status, error, excerpt FROM outbox_attempts WHERE outbox_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a outbox.Attempt
		var started, lat int64
		if err := rows.Scan(&started, &lat, &a.Status, &a.Error, &a.Excerpt); err != nil {
			return nil, err
		}
		a.Started, a.Latency = time.UnixMilli(started), time.Duration(lat)*time.Microsecond
		r.History = append(r.History, a)
	}
	return &r, rows.Err()
}

// List implements outbox.Store.
func (s *OutboxStore) List(ctx context.Context, f outbox.Filter) ([]outbox.Record, int, error) {
	const where = ` WHERE (? = '' OR kind = ?) AND (? = '' OR state = ?)`
	args := []any{f.Kind, f.Kind, string(f.State), string(f.State)}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, kind, key, state, attempts, due_at, last_error, created_at, updated_at
		FROM outbox`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []outbox.Record{}
	for rows.Next() {
		var r outbox.Record
		var state string
		var due, created, updated int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Key, &state, &r.Attempts, &due, &r.LastError, &created, &updated); err != nil {
			return nil, 0, err
		}
		r.State = outbox.State(state)
		r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
		out = append(out, r)
	}
	return out, total, rows.Err()
}
