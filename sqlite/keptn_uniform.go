package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// Integration implements keptn.UniformTx.
func (tx *keptnTx) Integration(id string) (*keptn.Integration, error) {
	var body string
	err := tx.QueryRow(`SELECT body FROM integrations WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
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
	if _, err := tx.Exec(`INSERT INTO integrations (id, name, body) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body`, in.ID, in.Name, string(body)); err != nil {
		return fmt.Errorf("put integration: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM subscriptions WHERE integration_id = ?`, in.ID); err != nil {
		return err
	}
	for _, s := range in.Subscriptions {
		if _, err := tx.Exec(`INSERT INTO subscriptions (id, integration_id) VALUES (?, ?)`, s.ID, in.ID); err != nil {
			return fmt.Errorf("put subscription: %w", err)
		}
	}
	return nil
}

// DeleteIntegration implements keptn.UniformTx.
func (tx *keptnTx) DeleteIntegration(id string) error {
	res, err := tx.Exec(`DELETE FROM integrations WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "integration %s not found", id)
	}
	return nil
}

// Subscription implements keptn.UniformTx.
func (tx *keptnTx) Subscription(id string) (*keptn.Subscription, string, error) {
	var integrationID string
	err := tx.QueryRow(`SELECT integration_id FROM subscriptions WHERE id = ?`, id).Scan(&integrationID)
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := s.db.read.QueryContext(ctx, `SELECT body FROM integrations WHERE (? = '' OR id = ?) AND (? = '' OR name = ?) ORDER BY name, id`,
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
		key := [3]string{project, stage, service}
		cache := &tx.db.levels
		if res, ok := cache.get(key, uris); ok {
			return res, nil
		}
		res, err := tx.levelResources(project, stage, service, uris)
		if err == nil {
			cache.put(key, uris, res)
		}
		return res, err
	})
}

// resourcesChanged records that the transaction writes resources: its memo
// and the writer's level cache no longer hold.
func (tx *keptnTx) resourcesChanged() {
	tx.levels.Reset()
	tx.db.levels.wrote()
}

// levelResources reads the resources named any of uris at the project,
// stage and service levels, service level first.
func (tx *keptnTx) levelResources(project, stage, service string, uris []string) ([]keptn.LevelResource, error) {
	in := strings.Repeat(",?", len(uris))[1:]
	args := []any{project}
	for _, u := range uris {
		args = append(args, u)
	}
	args = append(args, stage, stage, service)
	rows, err := tx.Query(`SELECT uri, stage, service, content, revision FROM resources
			WHERE project = ? AND uri IN (`+in+`) AND ((stage = '' AND service = '') OR (stage = ? AND service = '') OR (stage = ? AND service = ?))
			ORDER BY length(service) DESC, length(stage) DESC, uri`, args...)
	if err != nil {
		return nil, fmt.Errorf("level resources: %w", err)
	}
	defer rows.Close()
	var out []keptn.LevelResource
	for rows.Next() {
		var r keptn.LevelResource
		if err := rows.Scan(&r.URI, &r.Stage, &r.Service, &r.Content, &r.Revision); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
