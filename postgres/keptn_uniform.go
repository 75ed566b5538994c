package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/keptn"
)

// Integration implements keptn.UniformTx.
func (tx *keptnTx) Integration(id string) (*keptn.Integration, error) {
	var body string
	err := tx.QueryRow(`SELECT body FROM integrations WHERE id = $1`, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, keptn.Errorf(keptn.CodeNotFound, "integration %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	var in keptn.Integration
	return &in, json.Unmarshal([]byte(body), &in)
}

// PutIntegration implements keptn.UniformTx.
func (tx *keptnTx) PutIntegration(in *keptn.Integration) error {
	if in.Subscriptions == nil {
		in.Subscriptions = []keptn.Subscription{}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO integrations (id, name, body) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body`, in.ID, in.Name, string(body)); err != nil {
		return fmt.Errorf("put integration: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM subscriptions WHERE integration_id = $1`, in.ID); err != nil {
		return err
	}
	for _, s := range in.Subscriptions {
		if _, err := tx.Exec(`INSERT INTO subscriptions (id, integration_id) VALUES ($1, $2)`, s.ID, in.ID); err != nil {
			return fmt.Errorf("put subscription: %w", err)
		}
	}
	return nil
}

// DeleteIntegration implements keptn.UniformTx.
func (tx *keptnTx) DeleteIntegration(id string) error {
	res, err := tx.Exec(`DELETE FROM integrations WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if res.RowsAffected() == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "integration %s not found", id)
	}
	return nil
}

// Subscription implements keptn.UniformTx.
func (tx *keptnTx) Subscription(id string) (*keptn.Subscription, string, error) {
	var integrationID string
	err := tx.QueryRow(`SELECT integration_id FROM subscriptions WHERE id = $1`, id).Scan(&integrationID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", keptn.Errorf(keptn.CodeNotFound, "subscription %s not found", id)
	}
	if err != nil {
		return nil, "", err
	}
	in, err := tx.Integration(integrationID)
	if err != nil {
		return nil, "", err
	}
	for _, s := range in.Subscriptions {
		if s.ID == id {
			return &s, integrationID, nil
		}
	}
	return nil, "", keptn.Errorf(keptn.CodeNotFound, "subscription %s not found", id)
}

// Integrations implements keptn.UniformStore.
func (s *KeptnStore) Integrations(ctx context.Context, f keptn.IntegrationFilter) ([]keptn.Integration, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT body FROM integrations WHERE ($1 = '' OR id = $2) AND ($3 = '' OR name = $4) ORDER BY name, id`,
		f.ID, f.ID, f.Name, f.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []keptn.Integration{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var in keptn.Integration
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			return nil, err
		}
		if f.Project != "" || f.Stage != "" || f.Service != "" {
			if !f.Covers(in.Subscriptions) {
				continue
			}
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// LevelResources implements keptn.ProjectTx. Every hook of an event asks
// for its own file of the same levels; the memo reads them all at once.
func (tx *keptnTx) LevelResources(project, stage, service, uri string) ([]keptn.LevelResource, error) {
	return tx.levels.Get(tx.levelURIs, project, stage, service, uri, func(uris []string) ([]keptn.LevelResource, error) {
		return tx.levelResources(project, stage, service, uris)
	})
}

// levelResources reads the resources named any of uris at the project,
// stage and service levels, service level first.
func (tx *keptnTx) levelResources(project, stage, service string, uris []string) ([]keptn.LevelResource, error) {
	rows, err := tx.Query(levelResourcesSQL, project, uris, stage, stage, service)
	if err != nil {
		return nil, fmt.Errorf("level resources: %w", err)
	}
	return scanLevelResources(rows)
}

// levelResourcesSQL reads the resources named any of $2 at the project
// ($1), stage ($3) and service ($4, $5) levels, service level first.
const levelResourcesSQL = `SELECT uri, stage, service, content, revision FROM resources
	WHERE project = $1 AND uri = ANY($2) AND ((stage = '' AND service = '') OR (stage = $3 AND service = '') OR (stage = $4 AND service = $5))
	ORDER BY length(service) DESC, length(stage) DESC, uri`

func scanLevelResources(rows pgx.Rows) ([]keptn.LevelResource, error) {
	defer rows.Close()
	var out []keptn.LevelResource
	for rows.Next() {
		var r keptn.LevelResource
		if err := rows.Scan(&r.URI, &r.Stage, &r.Service, &r.Content, &r.Revision); err != nil {
			return nil, fmt.Errorf("level resources: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("level resources: %w", err)
	}
	return out, nil
}
