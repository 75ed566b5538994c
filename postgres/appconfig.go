package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"time"

	"github.com/batonhq/baton/appconfig"
)

// AppConfigStore implements appconfig.Store on a DB.
type AppConfigStore struct {
	acReader
	db *DB
}

// NewAppConfigStore returns the AppConfig store of db.
func NewAppConfigStore(db *DB) *AppConfigStore {
	return &AppConfigStore{acReader: acReader{q: db.pool}, db: db}
}

var _ appconfig.Store = (*AppConfigStore)(nil)

// Update implements appconfig.Store.
func (s *AppConfigStore) Update(ctx context.Context, fn func(appconfig.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		return fn(s.AppConfigTx(tx))
	})
}

// acReader implements appconfig.Reader on the pool or a write transaction.
// Inside a transaction, single documents and deployments are read FOR
// UPDATE: a replica that reads a deployment or an environment to change it
// holds it until commit, so two replicas never step one deployment at once
// or give two deployments one number.
type acReader struct {
	q    querier
	lock string
}

func (r acReader) Get(ctx context.Context, kind appconfig.Kind, id string, v any) error {
	var body []byte
	err := r.q.QueryRow(ctx, `SELECT body FROM appconfig_docs WHERE kind = $1 AND id = $2`+r.lock, string(kind), id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return appconfig.NotFound(kind.Name(), id)
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", kind, err)
	}
	return json.Unmarshal(body, v)
}

func (r acReader) List(ctx context.Context, kind appconfig.Kind, parent string, p appconfig.Page) ([]json.RawMessage, int64, error) {
	q := `SELECT seq, body FROM appconfig_docs WHERE kind = $1 AND ($2 = '' OR parent = $2) AND seq > $3 ORDER BY seq LIMIT $4`
	rows, err := r.q.Query(ctx, q, string(kind), parent, p.After, p.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []json.RawMessage
	var next int64
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			return nil, 0, err
		}
		if len(out) == p.Limit {
			break
		}
		out = append(out, body)
		next = seq
	}
	if len(out) < p.Limit {
		next = 0
	}
	return out, next, rows.Err()
}

func (r acReader) Count(ctx context.Context, kind appconfig.Kind, parent string) (int, error) {
	var n int
	err := r.q.QueryRow(ctx, `SELECT count(*) FROM appconfig_docs WHERE kind = $1 AND ($2 = '' OR parent = $2)`,
		string(kind), parent).Scan(&n)
	return n, err
}

func (r acReader) FindByName(ctx context.Context, kind appconfig.Kind, parent, name string) (string, error) {
	var id string
	err := r.q.QueryRow(ctx, `SELECT id FROM appconfig_docs WHERE kind = $1 AND parent = $2 AND name = $3 ORDER BY seq LIMIT 1`,
		string(kind), parent, name).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", appconfig.NotFound(kind.Name(), name)
	}
	return id, err
}

func (r acReader) Tags(ctx context.Context, arn string) (map[string]string, error) {
	rows, err := r.q.Query(ctx, `SELECT key, value FROM appconfig_tags WHERE arn = $1`, arn)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func (r acReader) Alarm(ctx context.Context, name string) (*appconfig.Alarm, error) {
	a := &appconfig.Alarm{Name: name}
	var ns int64
	err := r.q.QueryRow(ctx, `SELECT state, reason, updated_ns FROM appconfig_alarms WHERE name = $1`, name).Scan(&a.State, &a.Reason, &ns)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, appconfig.NotFound("Alarm", name)
	}
	if err != nil {
		return nil, fmt.Errorf("alarm: %w", err)
	}
	a.UpdatedAt = time.Unix(0, ns).UTC()
	return a, nil
}

func (r acReader) Alarms(ctx context.Context) ([]*appconfig.Alarm, error) {
	rows, err := r.q.Query(ctx, `SELECT name, state, reason, updated_ns FROM appconfig_alarms ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("alarms: %w", err)
	}
	defer rows.Close()
	out := []*appconfig.Alarm{}
	for rows.Next() {
		a := &appconfig.Alarm{}
		var ns int64
		if err := rows.Scan(&a.Name, &a.State, &a.Reason, &ns); err != nil {
			return nil, err
		}
		a.UpdatedAt = time.Unix(0, ns).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// acTx implements appconfig.Tx.
type acTx struct {
	acReader
	tx *Tx
}

func (t *acTx) Put(kind appconfig.Kind, id, parent, name string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(`INSERT INTO appconfig_docs (kind, id, parent, name, body) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, body = excluded.body`, string(kind), id, parent, name, body)
	if err != nil {
		return fmt.Errorf("put %s: %w", kind, err)
	}
	return nil
}

func (t *acTx) Delete(kind appconfig.Kind, id string) error {
	if _, err := t.tx.Exec(`DELETE FROM appconfig_docs WHERE kind = $1 AND id = $2`, string(kind), id); err != nil {
		return fmt.Errorf("delete %s: %w", kind, err)
	}
	return nil
}

func (t *acTx) SetTags(arn string, tags map[string]string) error {
	for k, v := range tags {
		if _, err := t.tx.Exec(`INSERT INTO appconfig_tags (arn, key, value) VALUES ($1, $2, $3)
			ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value`, arn, k, v); err != nil {
			return fmt.Errorf("tag: %w", err)
		}
	}
	return nil
}

func (t *acTx) RemoveTags(arn string, keys []string) error {
	for _, k := range keys {
		if _, err := t.tx.Exec(`DELETE FROM appconfig_tags WHERE arn = $1 AND key = $2`, arn, k); err != nil {
			return fmt.Errorf("untag: %w", err)
		}
	}
	return nil
}

func (t *acTx) PutAlarm(a *appconfig.Alarm) error {
	_, err := t.tx.Exec(`INSERT INTO appconfig_alarms (name, state, reason, updated_ns) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET state = excluded.state, reason = excluded.reason, updated_ns = excluded.updated_ns`,
		a.Name, a.State, a.Reason, a.UpdatedAt.UnixNano())
	if err != nil {
		return fmt.Errorf("put alarm: %w", err)
	}
	return nil
}

// StepKind is the outbox kind of deployment timers.
const StepKind = "appconfig.step"

func (t *acTx) ScheduleStep(st appconfig.StepTimer, due time.Time) error {
	payload, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return t.tx.Enqueue(Job{Kind: StepKind, Key: fmt.Sprintf("%s/%d/%d", st.Env, st.Number, st.Gen), Payload: payload, Due: due})
}

func (t *acTx) AfterCommit(f func()) { t.tx.AfterCommit(f) }
