package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/batonhq/baton/outbox"
)

// ErrLeaseLost is returned by Finish when the item's lease is no longer this
// process's: another replica took the item over, so this outcome must not count.
var ErrLeaseLost = errors.New("postgres: outbox lease lost")

// nowMS is the database clock in unix milliseconds: leases use it, so that
// replica clock skew cannot shorten or stretch them.
const nowMS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`

// Job is a unit of outbox work to enqueue.
type Job struct {
	Kind    string
	Key     string
	Payload []byte
	Due     time.Time
}

// Enqueue inserts job into the outbox as part of tx and wakes the outbox
// workers of every replica once tx commits.
func (tx *Tx) Enqueue(job Job) error {
	now := time.Now().UnixMilli()
	var due int64 // zero Due: due at once, whatever clock the worker runs on
	if !job.Due.IsZero() {
		due = job.Due.UnixMilli()
	}
	if _, err := tx.Exec(`INSERT INTO outbox (kind, key, payload, due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		job.Kind, job.Key, job.Payload, due, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind, err)
	}
	tx.Notify(ChannelOutbox, PayloadChanged)
	tx.AfterCommit(tx.db.wakeOutbox)
	return nil
}

// OutboxStore implements outbox.Store on a DB shared by several replicas.
type OutboxStore struct{ db *DB }

// NewOutboxStore returns the outbox store of db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ outbox.Store = (*OutboxStore)(nil)

func (db *DB) wakeOutbox() {
	select {
	case db.outboxWake <- struct{}{}:
	default:
	}
}

// Wake implements outbox.Store: commits of any replica, and the slow poll.
func (s *OutboxStore) Wake() <-chan struct{} { return s.db.outboxWake }

// Recover implements outbox.Store. Only items whose lease lapsed (their
// owner died or lost the database for longer than a lease) and items of this
// process's own name (an earlier run of it) become pending: items that a
// live replica runs keep running there.
func (s *OutboxStore) Recover(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET state = 'pending', owner = '', lease_until = 0
			WHERE state = 'running' AND (owner = $1 OR lease_until < `+nowMS+`)`, s.db.owner)
		return err
	})
}

// renewLeases extends the leases of every item this process runs, every
// third of a lease, until Close.
func (db *DB) renewLeases() {
	t := time.NewTicker(db.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-db.closed:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), db.opts.Lease/3)
		_, _ = db.pool.Exec(ctx, `UPDATE outbox SET lease_until = `+nowMS+` + $2
			WHERE owner = $1 AND state = 'running'`, db.owner, db.opts.Lease.Milliseconds())
		cancel()
	}
}

// Claim implements outbox.Store: due items, and items whose owner's lease
// lapsed, are taken with FOR UPDATE SKIP LOCKED, so concurrent replicas never
// claim the same item. The lease is the store's (Options.Lease), renewed
// while this process lives; the worker's lease argument is not used.
func (s *OutboxStore) Claim(ctx context.Context, now time.Time, limit int, _ time.Duration) ([]outbox.Item, error) {
	var items []outbox.Item
	err := s.db.Write(ctx, func(tx *Tx) error {
		items = nil
		rows, err := tx.Query(`UPDATE outbox SET state = 'running', attempts = attempts + 1, owner = $1,
				lease_until = `+nowMS+` + $2, updated_at = $3
			WHERE id IN (SELECT id FROM outbox
				WHERE (state = 'pending' AND due_at <= $3) OR (state = 'running' AND lease_until < `+nowMS+`)
				ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
			RETURNING id, kind, key, payload, attempts, created_at`,
			s.db.owner, s.db.opts.Lease.Milliseconds(), now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it outbox.Item
			var created int64
			if err := rows.Scan(&it.ID, &it.Kind, &it.Key, &it.Payload, &it.Attempts, &created); err != nil {
				return err
			}
			it.Created = time.UnixMilli(created)
			items = append(items, it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return items, nil
}

// Finish implements outbox.Store. The outcome counts only while this process
// holds the item's lease; otherwise nothing changes and ErrLeaseLost returns.
func (s *OutboxStore) Finish(ctx context.Context, id int64, a outbox.Attempt, next outbox.State, due time.Time) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		return s.recordOutcome(tx, outbox.Outcome{ID: id, Attempt: a, Next: next, Due: due})
	})
}

// Complete implements outbox.Store: one transaction records every outcome
// whose lease this process still holds (ErrLeaseLost for the others), and
// runs the effects of those only.
//
// Effects rarely fail, so the batch first records every outcome in one
// statement and runs the effects without savepoints (a savepoint and its
// release are two more round trips per outcome). Should an effect fail,
// that transaction rolls back whole and completeIsolated records the batch
// again, each outcome with an effect in a savepoint together with its
// effect, so that a failing effect rolls back alone.
func (s *OutboxStore) Complete(ctx context.Context, outs []outbox.Outcome) ([]error, error) {
	all := make([]int, len(outs))
	for i := range all {
		all[i] = i
	}
	var errs []error
	err := s.db.Write(ctx, func(tx *Tx) error {
		errs = make([]error, len(outs)) // Write may run fn again: assign, not accumulate
		if err := s.recordPlain(tx, outs, all, errs); err != nil {
			return err
		}
		for i, o := range outs {
			if o.Effect == nil || errs[i] != nil { // a lost lease runs no effect
				continue
			}
			if err := runEffect(ctx, tx, o.Effect); err != nil {
				return fmt.Errorf("%w: %w", errEffectFailed, err)
			}
		}
		return nil
	})
	if errors.Is(err, errEffectFailed) {
		return s.completeIsolated(ctx, outs)
	}
	if err != nil {
		return nil, fmt.Errorf("complete outbox items: %w", err)
	}
	return failedOnly(errs), nil
}

// failedOnly returns errs if any of them is set, else nil (Complete's
// answer when every outcome was recorded).
func failedOnly(errs []error) []error {
	for _, e := range errs {
		if e != nil {
			return errs
		}
	}
	return nil
}

// conflict reports whether err is a conflict with a concurrent transaction
// (a serialization failure, a deadlock, a lock wait cut short by a group
// commit's lock_timeout), which running the transaction again resolves.
func conflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (retryable(err) || pe.Code == "55P03")
}

// errEffectFailed ends Complete's transaction without savepoints.
var errEffectFailed = errors.New("an effect failed")

// completeIsolated is Complete with each outcome that has an effect
// recorded in a savepoint together with its effect.
func (s *OutboxStore) completeIsolated(ctx context.Context, outs []outbox.Outcome) ([]error, error) {
	var errs []error
	err := s.db.Write(ctx, func(tx *Tx) error {
		errs = make([]error, len(outs)) // Write may run fn again: assign, not accumulate
		var plain []int
		for i, o := range outs {
			if o.Effect == nil {
				plain = append(plain, i)
				continue
			}
			errs[i] = s.recordWithEffect(ctx, tx, o)
			if conflict(errs[i]) {
				// A conflict is the transaction's, not the effect's: run it
				// again (Write does) rather than retry the item, which would
				// call its webhook a second time.
				return errs[i]
			}
			if errs[i] != nil && !errors.Is(errs[i], ErrLeaseLost) {
				var ee *outbox.EffectError
				if !errors.As(errs[i], &ee) {
					return errs[i]
				}
			}
		}
		return s.recordPlain(tx, outs, plain, errs)
	})
	if err != nil {
		return nil, fmt.Errorf("complete outbox items: %w", err)
	}
	return failedOnly(errs), nil
}

// recordPlain records the outcomes outs[i] for i in idx, which have no
// effect, in two statements (ErrLeaseLost in errs for those whose lease is gone).
func (s *OutboxStore) recordPlain(tx *Tx, outs []outbox.Outcome, idx []int, errs []error) error {
	if len(idx) == 0 {
		return nil
	}
	n := len(idx)
	ids, states, dues, lasts := make([]int64, n), make([]string, n), make([]int64, n), make([]string, n)
	started, lats, statuses, excerpts := make([]int64, n), make([]int64, n), make([]int32, n), make([]string, n)
	retry := false
	for k, i := range idx {
		o := outs[i]
		ids[k], states[k], lasts[k] = o.ID, string(o.Next), o.Attempt.Error
		if !o.Due.IsZero() {
			dues[k] = o.Due.UnixMilli()
		}
		started[k], lats[k] = o.Attempt.Started.UnixMilli(), o.Attempt.Latency.Microseconds()
		statuses[k], excerpts[k] = int32(o.Attempt.Status), o.Attempt.Excerpt
		retry = retry || o.Next == outbox.StatePending
	}
	rows, err := tx.Query(`WITH done AS (
			UPDATE outbox o SET state = v.state, due_at = CASE WHEN v.due > 0 THEN v.due ELSE o.due_at END,
				owner = '', lease_until = 0, last_error = v.err, updated_at = $1
			FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS v(id, state, due, err)
			WHERE o.id = v.id AND o.owner = $6 AND o.state = 'running' AND o.lease_until >= `+nowMS+`
			RETURNING o.id)
		INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt)
		SELECT a.id, a.started, a.lat, a.status, a.err, a.excerpt
		FROM unnest($2::bigint[], $7::bigint[], $8::bigint[], $9::int[], $5::text[], $10::text[]) AS a(id, started, lat, status, err, excerpt)
		WHERE a.id IN (SELECT id FROM done)
		RETURNING outbox_id`,
		time.Now().UnixMilli(), ids, states, dues, lasts, s.db.owner, started, lats, statuses, excerpts)
	if err != nil {
		return err
	}
	recorded := make(map[int64]bool, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		recorded[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range idx {
		if !recorded[outs[i].ID] {
			errs[i] = fmt.Errorf("finish outbox item %d: %w", outs[i].ID, ErrLeaseLost)
		}
	}
	if retry {
		tx.Notify(ChannelOutbox, PayloadChanged) // other replicas learn the retries' due times
	}
	return nil
}

// recordWithEffect records o and runs its effect in a savepoint, released
// only if both succeed. The effect runs only while the lease is held.
func (s *OutboxStore) recordWithEffect(ctx context.Context, tx *Tx, o outbox.Outcome) error {
	sp, err := tx.tx.Begin(tx.ctx) // SAVEPOINT
	if err != nil {
		return err
	}
	sub := &Tx{db: tx.db, tx: sp, ctx: tx.ctx}
	err = s.recordOutcome(sub, o)
	if err == nil {
		err = runEffect(ctx, sub, o.Effect)
	}
	if err == nil {
		if err := sp.Commit(tx.ctx); err != nil { // RELEASE SAVEPOINT
			return err
		}
		tx.after = append(tx.after, sub.after...)
		tx.notify = append(tx.notify, sub.notify...)
		return nil
	}
	if rerr := sp.Rollback(tx.ctx); rerr != nil {
		return errors.Join(err, rerr)
	}
	if errors.Is(err, outbox.ErrAlreadyApplied) {
		return s.recordOutcome(tx, o) // the outcome counts; the effect was made before
	}
	return err
}

// runEffect runs effect, reporting its failure (or panic) as an *outbox.EffectError.
func runEffect(ctx context.Context, tx *Tx, effect outbox.Effect) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("effect panicked: %v", p)
		}
		if err != nil && !errors.Is(err, outbox.ErrAlreadyApplied) {
			err = &outbox.EffectError{Err: err}
		}
	}()
	return effect(ctx, tx)
}

// recordOutcome moves an item this process holds the lease of to its next
// state and records the attempt; ErrLeaseLost if the lease is gone.
func (s *OutboxStore) recordOutcome(tx *Tx, o outbox.Outcome) error {
	var dueMS int64
	if !o.Due.IsZero() {
		dueMS = o.Due.UnixMilli()
	}
	a := o.Attempt
	tag, err := tx.Exec(`UPDATE outbox SET state = $1, due_at = CASE WHEN $2::bigint > 0 THEN $2::bigint ELSE due_at END,
			owner = '', lease_until = 0, last_error = $3, updated_at = $4
		WHERE id = $5 AND owner = $6 AND state = 'running' AND lease_until >= `+nowMS,
		string(o.Next), dueMS, a.Error, time.Now().UnixMilli(), o.ID, s.db.owner)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish outbox item %d: %w", o.ID, ErrLeaseLost)
	}
	if _, err := tx.Exec(`INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.ID, a.Started.UnixMilli(), a.Latency.Microseconds(), a.Status, a.Error, a.Excerpt); err != nil {
		return err
	}
	if o.Next == outbox.StatePending {
		tx.Notify(ChannelOutbox, PayloadChanged) // other replicas learn the retry's due time
	}
	return nil
}

// NextDue implements outbox.Store.
func (s *OutboxStore) NextDue(ctx context.Context) (time.Time, bool, error) {
	var due *int64
	err := s.db.pool.QueryRow(ctx, `SELECT min(due_at) FROM outbox WHERE state = 'pending'`).Scan(&due)
	if err != nil || due == nil {
		return time.Time{}, false, err
	}
	return time.UnixMilli(*due), true, nil
}

// Depth implements outbox.Store.
func (s *OutboxStore) Depth(ctx context.Context) (map[outbox.State]int, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
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
		tag, err := tx.Exec(`UPDATE outbox SET state = 'pending', due_at = 0, updated_at = $1 WHERE id = $2 AND state = 'dead'`,
			time.Now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return outbox.ErrNotDead
		}
		tx.Notify(ChannelOutbox, PayloadChanged)
		tx.AfterCommit(s.db.wakeOutbox)
		return nil
	})
}

// Get implements outbox.Store.
func (s *OutboxStore) Get(ctx context.Context, id int64) (*outbox.Record, error) {
	var r outbox.Record
	var due, created, updated int64
	var state string
	err := s.db.pool.QueryRow(ctx, `SELECT id, kind, key, payload, state, attempts, due_at, last_error, created_at, updated_at
		FROM outbox WHERE id = $1`, id).Scan(&r.ID, &r.Kind, &r.Key, &r.Payload, &state, &r.Attempts, &due, &r.LastError, &created, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, outbox.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.State = outbox.State(state)
	r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
	rows, err := s.db.pool.Query(ctx, `SELECT started_at, latency_us, status, error, excerpt FROM outbox_attempts WHERE outbox_id = $1 ORDER BY id`, id)
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
	const where = ` WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR state = $2)`
	var total int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM outbox`+where, f.Kind, string(f.State)).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, kind, key, state, attempts, due_at, last_error, created_at, updated_at
		FROM outbox`+where+` ORDER BY id DESC LIMIT $3 OFFSET $4`, f.Kind, string(f.State), f.Limit, f.Offset)
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
