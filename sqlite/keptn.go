package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// KeptnStore implements keptn.Store on a DB.
type KeptnStore struct {
	db        *DB
	shipyards keptn.ShipyardCache
	levelURIs keptn.LevelURIs
	execs     execCache
	tasks     taskIndex
}

// NewKeptnStore returns the Keptn store of db.
func NewKeptnStore(db *DB) *KeptnStore { return &KeptnStore{db: db} }

var _ keptn.Store = (*KeptnStore)(nil)

// Update implements keptn.Store.
func (s *KeptnStore) Update(ctx context.Context, fn func(keptn.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(s.keptnTx(tx)) })
}

type keptnTx struct {
	*Tx
	shipyards *keptn.ShipyardCache
	execs     *execCache
	tasks     *taskIndex
	levelURIs *keptn.LevelURIs
	levels    keptn.LevelMemo // level resources read in this transaction
}

func (s *KeptnStore) keptnTx(tx *Tx) *keptnTx {
	return &keptnTx{Tx: tx, shipyards: &s.shipyards, execs: &s.execs, tasks: &s.tasks, levelURIs: &s.levelURIs}
}

// InsertEvent implements keptn.Tx.
func (tx *keptnTx) InsertEvent(ev *keptn.Event, body []byte) error {
	project, stage, service := ev.Scope()
	t := ev.When()
	// The trigger events_by_context_insert files the event under its
	// context (migration 0013, keptn_contexts.go). OR FAIL spares the
	// statement a journal of its own (migration 0014).
	res, err := tx.Exec(`INSERT OR FAIL INTO events (id, type, source, time_ns, keptn_context, triggered_id, project, stage, service, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.ID, ev.Type, ev.Source, t.UnixNano(), ev.Shkeptncontext, ev.TriggeredID, project, stage, service, body)
	if err != nil {
		// Only the id's conflict is the caller's to handle: it comes before
		// the statement writes anything. Any other would come from the
		// trigger after the row was written, which OR FAIL keeps, so it
		// must fail the transaction.
		if isUniqueViolation(err) && strings.Contains(err.Error(), "events.id") {
			return keptn.Errorf(keptn.CodeConflict, "event %s already exists", ev.ID)
		}
		return fmt.Errorf("insert event: %w", err)
	}
	// projects.last_event_* is not written: loadProjects reads a project's
	// last event from the events. The event is noted for service_last_events
	// (keptn_last_events.go): a scoped one as its key's candidate, any other
	// for the table's bound alone.
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	tx.op.last = append(tx.op.last, newLastEvent(project, stage, service, ev.Type, seq, t.UnixNano()))
	if project == "" || stage == "" || service == "" {
		return nil
	}
	if img := keptn.DeployedImage(ev); img != "" {
		if _, err := tx.Exec(`INSERT INTO service_images (project, stage, service, image) VALUES (?, ?, ?, ?)
			ON CONFLICT (project, stage, service) DO UPDATE SET image = excluded.image`,
			project, stage, service, img); err != nil {
			return fmt.Errorf("update deployed image: %w", err)
		}
	}
	return nil
}

// Enqueue implements keptn.Tx.
func (tx *keptnTx) Enqueue(job keptn.Job) error {
	return tx.Tx.Enqueue(Job(job))
}

// Events implements keptn.Store.
func (s *KeptnStore) Events(ctx context.Context, f keptn.EventFilter) ([]json.RawMessage, int, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if len(f.KeptnContext) > 0 {
		add(inContexts(len(f.KeptnContext)), anySlice(f.KeptnContext)...)
	}
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if f.Project != "" {
		add("project = ?", f.Project)
	}
	if f.Stage != "" {
		add("stage = ?", f.Stage)
	}
	if f.Service != "" {
		add("service = ?", f.Service)
	}
	if f.Source != "" {
		add("source = ?", f.Source)
	}
	if f.EventID != "" {
		add("id = ?", f.EventID)
	}
	if !f.FromTime.IsZero() {
		add("time_ns > ?", f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		add("time_ns < ?", f.BeforeTime.UnixNano())
	}
	if f.Root {
		add("seq = (SELECT c.first_seq FROM event_contexts c WHERE c.keptn_context = events.keptn_context)")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	from := eventsFrom(len(f.KeptnContext))
	if err := s.db.read.QueryRowContext(ctx, "SELECT count(*) FROM "+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count events: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, "SELECT body FROM "+from+cond+" ORDER BY time_ns DESC, seq DESC LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("query events: %w", err)
	}
	out, err := scanBodies(rows)
	return out, total, err
}

// EventsByType implements keptn.Store.
func (s *KeptnStore) EventsByType(ctx context.Context, f keptn.TypeFilter) ([]json.RawMessage, error) {
	q, args := eventsByTypeQuery(f)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query events by type: %w", err)
	}
	return scanBodies(rows)
}

// evaluationFinished is the type events_evaluations indexes.
const evaluationFinished = "sh.keptn.event.evaluation.finished"

// eventsByTypeQuery is EventsByType's query and its arguments.
func eventsByTypeQuery(f keptn.TypeFilter) (string, []any) {
	where := []string{"type = ?"}
	args := []any{f.Type}
	from := eventsFrom(len(f.KeptnContext))
	if f.Type == evaluationFinished {
		// The literal lets the planner use the partial index of the
		// evaluations (migration 0151); given a project, it must, where it
		// would rather read every evaluation in order of time.
		where = append(where, "type = '"+evaluationFinished+"'")
		if len(f.KeptnContext) == 0 && len(f.Project) > 0 {
			from = "events INDEXED BY events_evaluations"
		}
	}
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			where = append(where, col+" IN ("+placeholders(len(vals))+")")
			args = append(args, anySlice(vals)...)
		}
	}
	in("project", f.Project)
	in("stage", f.Stage)
	in("service", f.Service)
	if len(f.KeptnContext) > 0 {
		where = append(where, inContexts(len(f.KeptnContext)))
		args = append(args, anySlice(f.KeptnContext)...)
	}
	in("triggered_id", f.TriggeredID)
	in("source", f.Source)
	in("json_extract(CAST(body AS TEXT), '$.data.result')", f.Result)
	if !f.FromTime.IsZero() {
		where = append(where, "time_ns > ?")
		args = append(args, f.FromTime.UnixNano())
	}
	if f.ExcludeInvalidated {
		where = append(where, `NOT EXISTS (SELECT 1 FROM event_contexts c JOIN events_by_context b ON b.first_seq = c.first_seq
			JOIN events inv ON inv.seq = b.seq WHERE c.keptn_context = events.keptn_context AND events.triggered_id != ''
			AND inv.triggered_id = events.triggered_id AND inv.type LIKE '%.invalidated')`)
	}
	q := "SELECT body FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY time_ns DESC, seq DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q, args
}
