package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
)

// PutResources implements keptn.ProjectTx.
func (tx *keptnTx) PutResources(key keptn.ResourceKey, res []keptn.Resource, revision string, now time.Time) error {
	tx.resourcesChanged()
	for _, r := range res {
		if _, err := tx.Exec(`INSERT INTO resources (project, stage, service, uri, content, revision, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (project, stage, service, uri) DO UPDATE SET content = excluded.content, revision = excluded.revision, updated_ns = excluded.updated_ns`,
			key.Project, key.Stage, key.Service, r.URI, r.Content, revision, now.UnixNano()); err != nil {
			return fmt.Errorf("put resource: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO resource_history (project, stage, service, uri, revision, content, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			key.Project, key.Stage, key.Service, r.URI, revision, r.Content, now.UnixNano()); err != nil {
			return fmt.Errorf("put resource history: %w", err)
		}
	}
	return nil
}

// DeleteResource implements keptn.ProjectTx.
func (tx *keptnTx) DeleteResource(key keptn.ResourceKey, revision string, now time.Time) error {
	tx.resourcesChanged()
	res, err := tx.Exec(`DELETE FROM resources WHERE project = ? AND stage = ? AND service = ? AND uri = ?`,
		key.Project, key.Stage, key.Service, key.URI)
	if err != nil {
		return fmt.Errorf("delete resource: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "resource %s not found", key.URI)
	}
	_, err = tx.Exec(`INSERT INTO resource_history (project, stage, service, uri, revision, content, created_ns) VALUES (?, ?, ?, ?, ?, NULL, ?)`,
		key.Project, key.Stage, key.Service, key.URI, revision, now.UnixNano())
	return err
}

// levelExists checks the project, stage and service of key on the read pool.
func (s *KeptnStore) levelExists(ctx context.Context, key keptn.ResourceKey) error {
	var n int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE name = ?`, key.Project).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", key.Project)
	}
	if key.Stage != "" {
		if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM stages WHERE project = ? AND name = ?`, key.Project, key.Stage).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return keptn.Errorf(keptn.CodeNotFound, "stage %s not found", key.Stage)
		}
	}
	if key.Service != "" {
		if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM services WHERE project = ? AND name = ?`, key.Project, key.Service).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return keptn.Errorf(keptn.CodeNotFound, "service %s not found", key.Service)
		}
	}
	return nil
}

// Resources implements keptn.ProjectStore.
func (s *KeptnStore) Resources(ctx context.Context, key keptn.ResourceKey, offset, limit int) ([]keptn.Resource, int, error) {
	if err := s.levelExists(ctx, key); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM resources WHERE project = ? AND stage = ? AND service = ?`,
		key.Project, key.Stage, key.Service).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT uri, content, revision, updated_ns FROM resources
		WHERE project = ? AND stage = ? AND service = ? ORDER BY uri LIMIT ? OFFSET ?`,
		key.Project, key.Stage, key.Service, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("query resources: %w", err)
	}
	defer rows.Close()
	out := []keptn.Resource{}
	for rows.Next() {
		var r keptn.Resource
		var ns int64
		if err := rows.Scan(&r.URI, &r.Content, &r.Revision, &ns); err != nil {
			return nil, 0, err
		}
		r.Updated = time.Unix(0, ns)
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// Resource implements keptn.ProjectStore. With a revision it returns the
// content as of that revision (the last write at or before it).
func (s *KeptnStore) Resource(ctx context.Context, key keptn.ResourceKey, revision string) (*keptn.Resource, error) {
	if err := s.levelExists(ctx, key); err != nil {
		return nil, err
	}
	r := keptn.Resource{URI: key.URI}
	var ns int64
	var err error
	if revision == "" {
		err = s.db.read.QueryRowContext(ctx, `SELECT content, revision, updated_ns FROM resources
			WHERE project = ? AND stage = ? AND service = ? AND uri = ?`,
			key.Project, key.Stage, key.Service, key.URI).Scan(&r.Content, &r.Revision, &ns)
	} else {
		var content []byte
		err = s.db.read.QueryRowContext(ctx, `SELECT content, revision, created_ns FROM resource_history
			WHERE project = ? AND stage = ? AND service = ? AND uri = ?
			  AND seq <= (SELECT max(seq) FROM resource_history WHERE revision = ? AND project = ?)
			ORDER BY seq DESC LIMIT 1`,
			key.Project, key.Stage, key.Service, key.URI, revision, key.Project).Scan(&content, &r.Revision, &ns)
		if err == nil && content == nil {
			err = sql.ErrNoRows // deleted as of that revision
		}
		r.Content = content
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keptn.Errorf(keptn.CodeNotFound, "resource %s not found", key.URI)
	}
	if err != nil {
		return nil, fmt.Errorf("query resource: %w", err)
	}
	r.Updated = time.Unix(0, ns)
	return &r, nil
}

// CreateSecret implements keptn.ProjectTx.
func (tx *keptnTx) CreateSecret(m keptn.SecretMeta, sealed []byte, now time.Time) error {
	keys, _ := json.Marshal(m.Keys)
	_, err := tx.Exec(`INSERT INTO secrets (scope, name, keys, sealed, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?)`,
		m.Scope, m.Name, string(keys), sealed, now.UnixNano(), now.UnixNano())
	if isUniqueViolation(err) {
		return keptn.Errorf(keptn.CodeConflict, "secret %s already exists in scope %s", m.Name, m.Scope)
	}
	return err
}

// UpdateSecret implements keptn.ProjectTx.
func (tx *keptnTx) UpdateSecret(m keptn.SecretMeta, sealed []byte, now time.Time) error {
	keys, _ := json.Marshal(m.Keys)
	res, err := tx.Exec(`UPDATE secrets SET keys = ?, sealed = ?, updated_ns = ? WHERE scope = ? AND name = ?`,
		string(keys), sealed, now.UnixNano(), m.Scope, m.Name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "secret %s not found in scope %s", m.Name, m.Scope)
	}
	return nil
}

// DeleteSecret implements keptn.ProjectTx.
func (tx *keptnTx) DeleteSecret(scope, name string) error {
	res, err := tx.Exec(`DELETE FROM secrets WHERE scope = ? AND name = ?`, scope, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "secret %s not found in scope %s", name, scope)
	}
	return nil
}
