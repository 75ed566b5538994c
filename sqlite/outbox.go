package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
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
	if _, err := tx.Exec(`INSERT INTO outbox (kind, key, payload, due_at, created_at, updated_at, history) VALUES (?, ?, ?, ?, ?, ?, 0)`,
		job.Kind, job.Key, job.Payload, due, now, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.Kind, err)
	}
	if due != 0 {
		tx.AfterCommit(countLaterDue) // before the wake-up: see laterDue
	}
	tx.AfterCommit(tx.db.wakeOutbox)
	return nil
}

// OutboxStore implements outbox.Store on a DB.
type OutboxStore struct {
	db *DB
	// EarlyClaim lets Claim hand out items without writing anything (see
	// Claim). Set it before use; the worker wants it, readers that must see
	// a claim at once (tests) do not.
	EarlyClaim bool

	claimMu sync.Mutex // one early claim at a time
	mu      sync.Mutex
	// running holds the items claimed early and not yet recorded, by id.
	running map[int64]claimed
	// unmarked holds those of them not yet written as running (see
	// flushMarks), with the claim's times.
	unmarked map[int64]claimMark
	flushing bool // a flushMarks is scheduled
	// lastClaim is the time (unix milliseconds) of the last early claim: an
	// item due by then and not running was either claimed, enqueued since
	// (a wake-up says so), or made due by an outcome or a cut-short claim,
	// which set due. So NextDue need look only past lastClaim.
	lastClaim int64
	due       bool
	nextDue   nextDueMemo
}

// claimed is an item claimed early: the attempt it runs, and its creation
// time (unix milliseconds) and key, which every write about the claim
// checks: while it runs the item is pending in the file, and a timer
// cancelled by key deletes it there, after which a new item may get its id
// (SQLite reuses the largest rowid); that one must not take its outcome.
//
// history is the item's history column as the claim read it (see
// recordOutcome): only the outcome of this claim changes it.
type claimed struct {
	attempts int
	created  int64
	key      string
	history  int
}

// claimMark is an early claim to write down: the item runs attempt
// attempts since at (wall clock), with the lease (unix milliseconds) and
// time of the claim.
type claimMark struct {
	claimed
	at         time.Time
	lease, now int64
}

// markDelay is how long an early claim may stay unwritten: an item whose
// outcome is recorded sooner is never written as running (its attempt is
// counted with the outcome); one that runs longer is marked running with
// its attempt counted, so that a crash during a long call counts it and the
// API shows it running.
const markDelay = 250 * time.Millisecond

// NewOutboxStore returns the outbox store of db.
func NewOutboxStore(db *DB) *OutboxStore { return &OutboxStore{db: db} }

var _ outbox.Store = (*OutboxStore)(nil)

// Wake implements outbox.Store.
func (s *OutboxStore) Wake() <-chan struct{} { return s.db.outboxWake }

// Recover implements outbox.Store: with a single process owning the file, any
// item left running by a crash is pending again.
func (s *OutboxStore) Recover(ctx context.Context) error {
	s.mu.Lock()
	clear(s.running) // no worker runs them (Recover is called before one starts)
	clear(s.unmarked)
	s.lastClaim, s.due, s.nextDue = 0, false, nextDueMemo{}
	s.mu.Unlock()
	return s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET state = 'pending', lease_until = 0 WHERE state = 'running'`)
		tx.AfterCommit(countLaterDue)
		return err
	})
}

// Claim implements outbox.Store. One process owns a SQLite file, so items
// running in it are never taken over by lease expiry (a long webhook must not
// run twice); Recover makes a crashed process's items pending at start.
//
// For the same reason, with EarlyClaim, a claim need not be written before
// its items run: the store remembers the items it handed out and hands
// them out again only once their outcome is recorded (or never, if that
// fails, as if they had been written running). A claim lost in a crash only
// means the items are pending again, which at-least-once delivery allows
// anyway. So a claim takes no write at all: no commit (an fsync) and no
// wait for the writer stand between an enqueue and its call, and the
// writer spends nothing on claims. The attempt is counted with the
// outcome; an item still running after markDelay is written running with
// its attempt then (flushMarks). The items must be durable before they run
// (a call must never go out for a change that may still roll back): they
// are read on the read pool, which sees committed transactions only.
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
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	// The items running now are left out. One whose outcome commits while
	// this reads is left out all the same; one recorded before it began is
	// seen as recorded.
	s.mu.Lock()
	running := s.runningIDs()
	s.lastClaim, s.due = max(s.lastClaim, now.UnixMilli()), false
	s.mu.Unlock()
	// LIMIT +?, not LIMIT ?: SQLite (as built here, with STAT4) prepares
	// a statement again when the value of a bare LIMIT parameter changes,
	// and the worker's limit changes with its free slots; +? is an
	// expression whose value the plan does not depend on.
	rows, err := s.db.readQuery(ctx, `SELECT id, kind, key, payload, attempts, created_at, history FROM outbox
		WHERE state = 'pending' AND due_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
		ORDER BY due_at, id LIMIT +?`, now.UnixMilli(), running, limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	items, histories, err := scanItems(rows)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if len(items) == 0 {
		return nil, nil
	}
	m := claimMark{at: time.Now(), lease: now.Add(lease).UnixMilli(), now: now.UnixMilli()}
	s.mu.Lock()
	if len(items) == limit {
		s.due = true // more may be due
	}
	if s.running == nil {
		s.running, s.unmarked = map[int64]claimed{}, map[int64]claimMark{}
	}
	for i := range items {
		items[i].Attempts++ // the attempt this claim starts
		c := claimed{attempts: items[i].Attempts, created: items[i].Created.UnixMilli(), key: items[i].Key, history: histories[i]}
		s.running[items[i].ID] = c
		m.claimed = c
		s.unmarked[items[i].ID] = m
	}
	if !s.flushing {
		s.flushing = true
		time.AfterFunc(markDelay, s.flushMarks)
	}
	s.mu.Unlock()
	return items, nil
}

// runningIDs returns the ids of running as a JSON array. s.mu is held.
func (s *OutboxStore) runningIDs() string {
	b := make([]byte, 0, 2+8*len(s.running))
	b = append(b, '[')
	for id := range s.running {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// flushMarks writes the early claims older than markDelay as running, with
// their attempts counted, and schedules itself again while claims remain
// unwritten. A mark never undoes an outcome: it applies only to an item
// still pending at an earlier attempt.
func (s *OutboxStore) flushMarks() {
	err := s.writeMarks(context.Background(), time.Now().Add(-markDelay))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || len(s.unmarked) == 0 {
		// On an error (a closed or failing store), the marks wait for the
		// next claim to schedule them again.
		s.flushing = false
		return
	}
	next := markDelay
	for _, m := range s.unmarked {
		next = min(next, time.Until(m.at.Add(markDelay)))
	}
	time.AfterFunc(max(next, time.Millisecond), s.flushMarks)
}

// Flush writes every early claim not yet written as running, with its
// attempt counted. The server calls it once the worker has stopped, before
// it closes the store, so that items cut short by the shutdown count their
// attempt as they would after a written claim.
func (s *OutboxStore) Flush(ctx context.Context) error {
	return s.writeMarks(ctx, time.Now())
}

// writeMarks writes the early claims made by cutoff as running.
func (s *OutboxStore) writeMarks(ctx context.Context, cutoff time.Time) error {
	s.mu.Lock()
	var marks []byte
	type written struct {
		id       int64
		attempts int
	}
	var ids []written
	for id, m := range s.unmarked {
		if m.at.After(cutoff) {
			continue
		}
		if marks == nil {
			marks = append(marks, '[')
		} else {
			marks = append(marks, ',')
		}
		key, _ := json.Marshal(m.key)
		marks = fmt.Appendf(marks, "[%d,%d,%d,%d,%d,%s]", id, m.attempts, m.lease, m.now, m.created, key)
		ids = append(ids, written{id, m.attempts})
	}
	s.mu.Unlock()
	var err error
	if marks != nil {
		marks = append(marks, ']')
		err = s.db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE outbox SET state = 'running', attempts = j.value->>1, lease_until = j.value->>2, updated_at = j.value->>3
				FROM json_each(?) AS j
				WHERE outbox.id = j.value->>0 AND outbox.state = 'pending' AND outbox.attempts < j.value->>1
					AND outbox.created_at = j.value->>4 AND outbox.key = j.value->>5`, string(marks))
			return err
		})
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	for _, w := range ids {
		if m, ok := s.unmarked[w.id]; ok && m.attempts == w.attempts { // not claimed again since
			delete(s.unmarked, w.id)
		}
	}
	s.mu.Unlock()
	return nil
}

// overlay shows an item claimed early, pending still in the file, as
// running at its attempt.
func (s *OutboxStore) overlay(id int64, state *outbox.State, attempts *int) {
	if *state != outbox.StatePending {
		return
	}
	s.mu.Lock()
	c, ok := s.running[id]
	s.mu.Unlock()
	if ok {
		*state, *attempts = outbox.StateRunning, c.attempts
	}
}

// recorded forgets the early claims of items whose outcome is recorded:
// a claim may take them again.
func (s *OutboxStore) recorded(outs []outbox.Outcome) {
	retry := false
	s.mu.Lock()
	for _, o := range outs {
		delete(s.running, o.ID)
		delete(s.unmarked, o.ID)
		if o.Next == outbox.StatePending {
			retry = true
			if o.Due.UnixMilli() <= s.lastClaim {
				s.due = true // due already: no later claim may have seen it
			}
		}
	}
	s.mu.Unlock()
	if retry {
		countLaterDue()
	}
}

// claimOf is the early claim of id, the zero claimed if none.
func (s *OutboxStore) claimOf(id int64) claimed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[id]
}

func claim(tx *Tx, now time.Time, limit int, lease time.Duration) ([]outbox.Item, error) {
	// LIMIT +?: see Claim.
	rows, err := tx.Query(`UPDATE outbox SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
		WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT +?)
		RETURNING id, kind, key, payload, attempts, created_at, history`,
		now.Add(lease).UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	items, _, err := scanItems(rows)
	return items, err
}

// scanItems reads claimed items, and their history column.
func scanItems(rows *sql.Rows) ([]outbox.Item, []int, error) {
	defer rows.Close()
	var items []outbox.Item
	var histories []int
	for rows.Next() {
		var it outbox.Item
		var created int64
		var history int
		if err := rows.Scan(&it.ID, &it.Kind, &it.Key, &it.Payload, &it.Attempts, &created, &history); err != nil {
			return nil, nil, err
		}
		it.Created = time.UnixMilli(created)
		items = append(items, it)
		histories = append(histories, history)
	}
	return items, histories, rows.Err()
}

// Finish implements outbox.Store.
func (s *OutboxStore) Finish(ctx context.Context, id int64, a outbox.Attempt, next outbox.State, due time.Time) error {
	o := outbox.Outcome{ID: id, Attempt: a, Next: next, Due: due}
	err := s.db.Write(ctx, func(tx *Tx) error {
		return recordOutcome(tx, o, s.claimOf(id), time.Now().UnixMilli())
	})
	if err == nil {
		s.recorded([]outbox.Outcome{o})
	}
	return err
}

// Complete implements outbox.Store: one write transaction records every
// outcome, each with its effect.
//
// Effects rarely fail, so the batch first runs them without savepoints:
// a savepoint per effect made SQLite copy every page the effect touched
// (the event's table and index pages, the outbox's) aside before changing
// it, once per outcome. Should an effect fail, that run rolls back whole
// and the batch runs again with each effect in a savepoint of its own, so
// that a failing one rolls back alone.
func (s *OutboxStore) Complete(ctx context.Context, outs []outbox.Outcome) ([]error, error) {
	err := s.db.Write(ctx, func(tx *Tx) error { return s.completeBare(ctx, tx, outs) })
	if err == nil {
		s.recorded(outs)
		return nil, nil
	}
	if !errors.Is(err, errEffectFailed) {
		return nil, fmt.Errorf("complete outbox items: %w", err)
	}
	return s.completeIsolated(ctx, outs)
}

// completeBare is Complete's transaction without savepoints: it runs each
// effect and records each outcome in tx, and fails as a whole.
func (s *OutboxStore) completeBare(ctx context.Context, tx *Tx, outs []outbox.Outcome) error {
	now := time.Now().UnixMilli()
	for _, o := range outs {
		if o.Effect != nil {
			if err := runEffectBare(ctx, tx, o.Effect); err != nil {
				return fmt.Errorf("%w: %w", errEffectFailed, err)
			}
		}
		if err := recordOutcome(tx, o, s.claimOf(o.ID), now); err != nil {
			return err
		}
	}
	return nil
}

// errEffectFailed ends Complete's run without savepoints.
var errEffectFailed = errors.New("an effect failed")

// runEffectBare runs effect in the transaction as it is. Its failure
// (ErrAlreadyApplied included: its changes must roll back) or panic is
// returned as an error.
func runEffectBare(ctx context.Context, tx *Tx, effect outbox.Effect) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("effect panicked: %v", p)
		}
	}()
	return effect(ctx, tx)
}

// completeIsolated is Complete with each effect in a savepoint of its own.
func (s *OutboxStore) completeIsolated(ctx context.Context, outs []outbox.Outcome) ([]error, error) {
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
			if err := recordOutcome(tx, o, s.claimOf(o.ID), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("complete outbox items: %w", err)
	}
	if errs == nil {
		s.recorded(outs)
	} else {
		for i, o := range outs {
			if errs[i] == nil {
				s.recorded([]outbox.Outcome{o})
			}
		}
	}
	return errs, nil
}

// runEffect runs effect in a savepoint; on failure its changes and the
// wake-ups it registered are dropped. ErrAlreadyApplied counts as success.
func runEffect(ctx context.Context, tx *Tx, effect outbox.Effect) (err error) {
	if _, err := tx.Exec(`SAVEPOINT outbox_effect`); err != nil {
		return err
	}
	after, unordered := len(tx.op.after), len(tx.op.unordered)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("effect panicked: %v", p)
		}
		if err != nil {
			tx.op.after, tx.op.unordered = tx.op.after[:after], tx.op.unordered[:unordered]
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

// recordOutcome records the attempt and moves the item to its next state.
// For an early claim c (zero for none), it counts the claim's attempt,
// which may not be written yet, and records nothing if the item is not the
// one claimed (see claimed).
//
// An item's first recorded attempt goes into its own row, in the statement
// that records the outcome (migration 0111): only a later one takes a row
// of outbox_attempts, with its index entry. An early claim knows whether
// the item has an attempt recorded (c.history); otherwise the statement
// tells.
func recordOutcome(tx *Tx, o outbox.Outcome, c claimed, now int64) error {
	if c.attempts == 0 {
		return recordUnclaimed(tx, o, now)
	}
	a := o.Attempt
	dueMS := dueMillis(o.Due)
	started, latency := a.Started.UnixMilli(), a.Latency.Microseconds()
	var res sql.Result
	var err error
	if c.history == 0 {
		res, err = tx.Exec(`UPDATE outbox SET state = ?, attempts = max(attempts, ?), due_at = CASE WHEN ? > 0 THEN ? ELSE due_at END,
			lease_until = 0, last_error = ?, updated_at = ?, history = 1,
			first_started = ?, first_latency_us = ?, first_status = ?, first_error = ?, first_excerpt = ?
			WHERE id = ? AND created_at = ? AND key = ?`,
			string(o.Next), c.attempts, dueMS, dueMS, a.Error, now, started, latency, a.Status, a.Error, a.Excerpt, o.ID, c.created, c.key)
	} else {
		res, err = tx.Exec(`UPDATE outbox SET state = ?, attempts = max(attempts, ?), due_at = CASE WHEN ? > 0 THEN ? ELSE due_at END,
			lease_until = 0, last_error = ?, updated_at = ?, history = CASE history WHEN 1 THEN 2 ELSE history END
			WHERE id = ? AND created_at = ? AND key = ?`,
			string(o.Next), c.attempts, dueMS, dueMS, a.Error, now, o.ID, c.created, c.key)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // gone (a cancelled timer): no history to add to
	}
	if c.history == 0 {
		return nil
	}
	return insertAttempt(tx, o.ID, a)
}

// recordUnclaimed is recordOutcome for an item without an early claim.
// Every SET expression sees the row as it was: history 0 means this
// attempt is the item's first, which the row takes; RETURNING sees the row
// as it is now, where 1 means just that.
func recordUnclaimed(tx *Tx, o outbox.Outcome, now int64) error {
	a := o.Attempt
	var history int
	err := tx.QueryRow(`UPDATE outbox SET state = ?1, due_at = CASE WHEN ?2 > 0 THEN ?2 ELSE due_at END,
		lease_until = 0, last_error = ?3, updated_at = ?4,
		history = CASE history WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE history END,
		first_started = CASE history WHEN 0 THEN ?5 ELSE first_started END,
		first_latency_us = CASE history WHEN 0 THEN ?6 ELSE first_latency_us END,
		first_status = CASE history WHEN 0 THEN ?7 ELSE first_status END,
		first_error = CASE history WHEN 0 THEN ?3 ELSE first_error END,
		first_excerpt = CASE history WHEN 0 THEN ?8 ELSE first_excerpt END
		WHERE id = ?9 RETURNING history`,
		string(o.Next), dueMillis(o.Due), a.Error, now, a.Started.UnixMilli(), a.Latency.Microseconds(), a.Status, a.Excerpt, o.ID).Scan(&history)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // gone (a cancelled timer): no history to add to
	}
	if err != nil || history == 1 {
		return err
	}
	return insertAttempt(tx, o.ID, a)
}

// insertAttempt adds an attempt of item id to outbox_attempts.
func insertAttempt(tx *Tx, id int64, a outbox.Attempt) error {
	_, err := tx.Exec(`INSERT INTO outbox_attempts (outbox_id, started_at, latency_us, status, error, excerpt) VALUES (?, ?, ?, ?, ?, ?)`,
		id, a.Started.UnixMilli(), a.Latency.Microseconds(), a.Status, a.Error, a.Excerpt)
	return err
}

// dueMillis is a retry's due time in unix milliseconds, 0 for none.
func dueMillis(due time.Time) int64 {
	if due.IsZero() {
		return 0
	}
	return due.UnixMilli()
}

// NextDue implements outbox.Store.
// Items claimed early, pending still in the file, are not due: after an
// early claim, it looks only at items due after it (see lastClaim).
//
// After an early claim its answer is kept until a commit may have made an
// item due later than the claim (see laterDue): a busy worker asks after
// nearly every claim, and the answer rarely changes.
func (s *OutboxStore) NextDue(ctx context.Context) (time.Time, bool, error) {
	s.mu.Lock()
	after, due, memo := s.lastClaim, s.due, s.nextDue
	s.mu.Unlock()
	if due {
		return time.UnixMilli(after), true, nil
	}
	if after == 0 { // no early claim yet: every pending item counts
		after = -1
	}
	gen := laterDue.Load()
	// The memo answers for a later claim too, unless the claim may have
	// taken its item: none due after the memo's claim is none due after a
	// later one, and an item due after this claim was the first due after
	// the memo's.
	if after > 0 && memo.valid && memo.gen == gen && memo.after <= after && (!memo.ok || memo.at > after) {
		return time.UnixMilli(memo.at), memo.ok, nil
	}
	var next sql.NullInt64
	err := s.db.readQueryRow(ctx, `SELECT min(due_at) FROM outbox WHERE state = 'pending' AND due_at > ?`, after).Scan(&next)
	if err != nil {
		return time.Time{}, false, err
	}
	if after > 0 {
		s.mu.Lock()
		s.nextDue = nextDueMemo{valid: true, gen: gen, after: after, at: next.Int64, ok: next.Valid}
		s.mu.Unlock()
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(next.Int64), true, nil
}

// laterDue counts commits that may have made an item pending with a due
// time later than the last early claim: an enqueue with a due time, a
// retry, a replay, a recovery. NextDue keeps its answer while it does not
// change. It is counted after the commit and before the worker is woken,
// so a NextDue that read the file before the commit does not keep its
// answer. (One count serves every store in the process: a count for
// another one only costs a query.)
var laterDue atomic.Uint64

// nextDueMemo is NextDue's last answer after an early claim at after (unix
// milliseconds): the earliest due time past it, at, if ok.
type nextDueMemo struct {
	valid     bool
	gen       uint64
	after, at int64
	ok        bool
}

// countLaterDue counts a commit for laterDue.
func countLaterDue() { laterDue.Add(1) }

// Depth implements outbox.Store. Items claimed early, pending still in the
// file, are running.
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	running := s.runningIDs()
	s.mu.Unlock()
	if running == "[]" {
		return out, nil
	}
	var n int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?))`,
		running).Scan(&n); err != nil {
		return nil, err
	}
	n = min(n, out[outbox.StatePending]) // the two reads see different moments
	if n > 0 {
		out[outbox.StatePending] -= n
		out[outbox.StateRunning] += n
		if out[outbox.StatePending] == 0 {
			delete(out, outbox.StatePending)
		}
	}
	return out, nil
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
		tx.AfterCommit(countLaterDue)
		tx.AfterCommit(s.db.wakeOutbox)
		return nil
	})
}

// Get implements outbox.Store.
func (s *OutboxStore) Get(ctx context.Context, id int64) (*outbox.Record, error) {
	var r outbox.Record
	var due, created, updated int64
	var state string
	var first inlineAttempt
	err := s.db.read.QueryRowContext(ctx, `SELECT id, kind, key, payload, state, attempts, due_at, last_error, created_at, updated_at, `+inlineAttemptColumns+`
		FROM outbox WHERE id = ?`, id).Scan(append([]any{&r.ID, &r.Kind, &r.Key, &r.Payload, &state, &r.Attempts, &due, &r.LastError, &created, &updated}, first.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, outbox.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.State = outbox.State(state)
	s.overlay(r.ID, &r.State, &r.Attempts)
	r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
	r.History = first.append(nil)
	if !first.more() {
		return &r, nil
	}
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

// inlineAttemptColumns are the columns of an item's first attempt as its
// row holds it (see recordOutcome), in the order inlineAttempt.dest scans.
const inlineAttemptColumns = `history, first_started, first_latency_us, first_status, first_error, first_excerpt`

// inlineAttempt is an item's first attempt as its row holds it, and where
// its other attempts are.
type inlineAttempt struct {
	history          int
	started, latency int64
	a                outbox.Attempt
}

func (f *inlineAttempt) dest() []any {
	return []any{&f.history, &f.started, &f.latency, &f.a.Status, &f.a.Error, &f.a.Excerpt}
}

// append appends the row's attempt to h, if it holds one.
func (f *inlineAttempt) append(h []outbox.Attempt) []outbox.Attempt {
	if f.history != 1 && f.history != 2 {
		return h
	}
	a := f.a
	a.Started, a.Latency = time.UnixMilli(f.started), time.Duration(f.latency)*time.Microsecond
	return append(h, a)
}

// more reports whether the item has attempts in outbox_attempts.
func (f *inlineAttempt) more() bool { return f.history >= 2 }

// List implements outbox.Store.
func (s *OutboxStore) List(ctx context.Context, f outbox.Filter) ([]outbox.Record, int, error) {
	// Items claimed early, pending still in the file, are running.
	s.mu.Lock()
	running := s.runningIDs()
	s.mu.Unlock()
	const where = ` WHERE (? = '' OR kind = ?) AND (? = '' OR (CASE WHEN state = 'pending' AND id IN (SELECT value FROM json_each(?)) THEN 'running' ELSE state END) = ?)`
	args := []any{f.Kind, f.Kind, string(f.State), running, string(f.State)}
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
		s.overlay(r.ID, &r.State, &r.Attempts)
		r.Due, r.Created, r.Updated = time.UnixMilli(due), time.UnixMilli(created), time.UnixMilli(updated)
		out = append(out, r)
	}
	return out, total, rows.Err()
}
