package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/batonhq/baton/keptn"
)

// KeptnStore implements keptn.Store on a DB.
type KeptnStore struct {
	db        *DB
	shipyards keptn.ShipyardCache
	levelURIs keptn.LevelURIs
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
	levelURIs *keptn.LevelURIs
	levels    keptn.LevelMemo // level resources read in this transaction
}

func (s *KeptnStore) keptnTx(tx *Tx) *keptnTx {
	return &keptnTx{Tx: tx, shipyards: &s.shipyards, levelURIs: &s.levelURIs}
}

// InsertEvent implements keptn.Tx. A duplicate id is CodeConflict and,
// because the insert does nothing then, leaves the transaction usable. It
// writes no shared row except, for a deployment, the deployed image.
func (tx *keptnTx) InsertEvent(ev *keptn.Event, body []byte) error {
	project, stage, service := ev.Scope()
	t := ev.When()
	tag, err := tx.insertEvent(ev, body, project, stage, service, t.UnixNano())
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return keptn.Errorf(keptn.CodeConflict, "event %s already exists", ev.ID)
	}
	tx.Notify(ChannelKeptn, PayloadEvent)
	// A project's last event and each service's last event per type are
	// read from the events themselves (see serviceStates): updating one row
	// per project on every event would make all ingest of a project wait
	// for each other's commits.
	if project == "" || stage == "" || service == "" {
		return nil
	}
	if img := keptn.DeployedImage(ev); img != "" {
		if _, err := tx.Exec(`INSERT INTO service_images (project, stage, service, image) VALUES ($1, $2, $3, $4)
			ON CONFLICT (project, stage, service) DO UPDATE SET image = excluded.image`,
			project, stage, service, img); err != nil {
			return fmt.Errorf("update deployed image: %w", err)
		}
	}
	return nil
}

const insertEventSQL = `INSERT INTO events (id, type, source, time_ns, keptn_context, triggered_id, project, stage, service, body)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`

// insertEvent inserts the event row. The event's hooks will look up their
// files at its project, stage and service (webhook.yaml, appconfig.yaml…):
// when the hooks have asked before, those files are read in the same round
// trip, after the insert in the same transaction, and handed to the memo,
// which is just what the hooks' first lookup would have read.
func (tx *keptnTx) insertEvent(ev *keptn.Event, body []byte, project, stage, service string, ns int64) (pgconn.CommandTag, error) {
	args := []any{ev.ID, ev.Type, ev.Source, ns, ev.Shkeptncontext, ev.TriggeredID, project, stage, service, body}
	uris := tx.levelURIs.Known()
	if project == "" || len(uris) == 0 {
		return tx.Exec(insertEventSQL, args...)
	}
	b := &pgx.Batch{}
	b.Queue(insertEventSQL, args...)
	b.Queue(levelResourcesSQL, project, uris, stage, stage, service)
	br := tx.tx.SendBatch(tx.ctx, b)
	defer br.Close()
	tag, err := br.Exec()
	if err != nil {
		return tag, err
	}
	rows, err := br.Query()
	if err != nil {
		return tag, fmt.Errorf("level resources: %w", err)
	}
	res, err := scanLevelResources(rows)
	if err != nil {
		return tag, err
	}
	tx.levels.Seed(project, stage, service, uris, res)
	return tag, nil
}

// Enqueue implements keptn.Tx.
func (tx *keptnTx) Enqueue(job keptn.Job) error {
	return tx.Tx.Enqueue(Job(job))
}

// Events implements keptn.Store.
func (s *KeptnStore) Events(ctx context.Context, f keptn.EventFilter) ([]json.RawMessage, int, error) {
	var w where
	if len(f.KeptnContext) > 0 {
		w.add("keptn_context = ANY(?)", f.KeptnContext)
	}
	for _, c := range []struct{ col, val string }{
		{"type", f.Type}, {"project", f.Project}, {"stage", f.Stage}, {"service", f.Service},
		{"source", f.Source}, {"id", f.EventID},
	} {
		if c.val != "" {
			w.add(c.col+" = ?", c.val)
		}
	}
	if !f.FromTime.IsZero() {
		w.add("time_ns > ?", f.FromTime.UnixNano())
	}
	if !f.BeforeTime.IsZero() {
		w.add("time_ns < ?", f.BeforeTime.UnixNano())
	}
	if f.Root {
		w.raw("seq = (SELECT min(e2.seq) FROM events e2 WHERE e2.keptn_context = events.keptn_context)")
	}
	var total int
	if err := s.db.pool.QueryRow(ctx, "SELECT count(*) FROM events"+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count events: %w", err)
	}
	cond := w.String()
	q := "SELECT body FROM events" + cond + " ORDER BY time_ns DESC, seq DESC LIMIT " + w.arg(f.Limit) + " OFFSET " + w.arg(f.Offset)
	out, err := scanBodies(s.db.pool.Query(ctx, q, w.args...))
	if err != nil {
		return nil, 0, fmt.Errorf("query events: %w", err)
	}
	return out, total, nil
}

// EventsByType implements keptn.Store.
func (s *KeptnStore) EventsByType(ctx context.Context, f keptn.TypeFilter) ([]json.RawMessage, error) {
	var w where
	w.add("type = ?", f.Type)
	for _, c := range []struct {
		col  string
		vals []string
	}{
		{"project", f.Project}, {"stage", f.Stage}, {"service", f.Service},
		{"keptn_context", f.KeptnContext}, {"triggered_id", f.TriggeredID}, {"source", f.Source},
	} {
		if len(c.vals) > 0 {
			w.add(c.col+" = ANY(?)", c.vals)
		}
	}
	if !f.FromTime.IsZero() {
		w.add("time_ns > ?", f.FromTime.UnixNano())
	}
	if f.ExcludeInvalidated {
		w.raw(`NOT EXISTS (SELECT 1 FROM events inv WHERE inv.triggered_id = events.triggered_id
			AND events.triggered_id <> '' AND inv.type LIKE '%.invalidated' AND inv.keptn_context = events.keptn_context)`)
	}
	q := "SELECT body FROM events" + w.String() + " ORDER BY time_ns DESC, seq DESC"
	if f.Limit > 0 {
		q += " LIMIT " + w.arg(f.Limit)
	}
	out, err := scanBodies(s.db.pool.Query(ctx, q, w.args...))
	if err != nil {
		return nil, fmt.Errorf("query events by type: %w", err)
	}
	return out, nil
}
