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

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func loadShipyard(ctx context.Context, q queryer, cache *keptn.ShipyardCache, project string) (*keptn.Shipyard, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT shipyard FROM projects WHERE name = ?`, project).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keptn.Errorf(keptn.CodeNotFound, "project %s not found", project)
	}
	if err != nil {
		return nil, fmt.Errorf("load shipyard: %w", err)
	}
	return cache.Parse(raw)
}

// ProjectShipyard implements keptn.ProjectStore.
func (s *KeptnStore) ProjectShipyard(ctx context.Context, project string) (*keptn.Shipyard, error) {
	return loadShipyard(ctx, s.db.read, &s.shipyards, project)
}

// Shipyard implements keptn.ProjectTx.
func (tx *keptnTx) Shipyard(project string) (*keptn.Shipyard, error) {
	if s, ok := tx.db.facts.shipyard(project); ok {
		return s, nil
	}
	s, err := loadShipyard(context.Background(), tx.Tx, tx.shipyards, project)
	if err == nil {
		tx.db.facts.putShipyard(project, s)
	}
	return s, err
}

// ServiceExists implements keptn.ProjectTx.
func (tx *keptnTx) ServiceExists(project, service string) (bool, error) {
	if ok, known := tx.db.facts.service(project, service); known {
		return ok, nil
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM services WHERE project = ? AND name = ?`, project, service).Scan(&n); err != nil {
		return false, err
	}
	tx.db.facts.putService(project, service, n > 0)
	return n > 0, nil
}

// StageExists implements keptn.ProjectTx.
func (tx *keptnTx) StageExists(project, stage string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM stages WHERE project = ? AND name = ?`, project, stage).Scan(&n)
	return n > 0, err
}

func (tx *keptnTx) projectExists(name string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM projects WHERE name = ?`, name).Scan(&n)
	return n > 0, err
}

func (tx *keptnTx) insertStages(project string, stages []keptn.ProjectStage) error {
	for i, st := range stages {
		parents, _ := json.Marshal(nonNil(st.Parents))
		if _, err := tx.Exec(`INSERT INTO stages (project, name, position, parents) VALUES (?, ?, ?, ?)`,
			project, st.Name, i, string(parents)); err != nil {
			return fmt.Errorf("insert stage: %w", err)
		}
	}
	return nil
}

// CreateProject implements keptn.ProjectTx.
func (tx *keptnTx) CreateProject(p *keptn.NewProject) error {
	tx.db.facts.wrote()
	_, err := tx.Exec(`INSERT INTO projects (name, shipyard, shipyard_version, created_ns, git_remote_url, git_user, git_public, git_sealed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Name, p.Shipyard, p.ShipyardVersion, p.Created.UnixNano(), p.GitRemoteURL, p.GitUser, string(p.GitPublic), p.GitSealed)
	if isUniqueViolation(err) {
		return keptn.Errorf(keptn.CodeConflict, "project %s already exists", p.Name)
	}
	if err != nil {
		return fmt.Errorf("insert project: %w", err)
	}
	return tx.insertStages(p.Name, p.Stages)
}

// UpdateProject implements keptn.ProjectTx.
func (tx *keptnTx) UpdateProject(p *keptn.NewProject) error {
	tx.resourcesChanged()
	tx.db.facts.wrote()
	ok, err := tx.projectExists(p.Name)
	if err != nil {
		return err
	}
	if !ok {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", p.Name)
	}
	if p.Shipyard != "" {
		if _, err := tx.Exec(`UPDATE projects SET shipyard = ?, shipyard_version = ? WHERE name = ?`,
			p.Shipyard, p.ShipyardVersion, p.Name); err != nil {
			return fmt.Errorf("update shipyard: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM stages WHERE project = ?`, p.Name); err != nil {
			return fmt.Errorf("update stages: %w", err)
		}
		if err := tx.insertStages(p.Name, p.Stages); err != nil {
			return err
		}
	}
	if p.GitPublic != nil {
		if _, err := tx.Exec(`UPDATE projects SET git_remote_url = ?, git_user = ?, git_public = ?, git_sealed = ? WHERE name = ?`,
			p.GitRemoteURL, p.GitUser, string(p.GitPublic), p.GitSealed, p.Name); err != nil {
			return fmt.Errorf("update git credentials: %w", err)
		}
	}
	return nil
}

// DeleteProject implements keptn.ProjectTx. Events are kept as history.
func (tx *keptnTx) DeleteProject(name string) error {
	tx.resourcesChanged()
	tx.db.facts.wrote()
	res, err := tx.Exec(`DELETE FROM projects WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete project: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", name)
	}
	for _, q := range []string{
		`DELETE FROM resources WHERE project = ?`,
		`DELETE FROM resource_history WHERE project = ?`,
		`DELETE FROM service_images WHERE project = ?`,
	} {
		if _, err := tx.Exec(q, name); err != nil {
			return fmt.Errorf("delete project: %w", err)
		}
	}
	return tx.deleteSequenceState(name)
}

// CreateService implements keptn.ProjectTx.
func (tx *keptnTx) CreateService(project, service string, created time.Time) error {
	tx.db.facts.wrote()
	ok, err := tx.projectExists(project)
	if err != nil {
		return err
	}
	if !ok {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", project)
	}
	_, err = tx.Exec(`INSERT INTO services (project, name, created_ns) VALUES (?, ?, ?)`, project, service, created.UnixNano())
	if isUniqueViolation(err) {
		return keptn.Errorf(keptn.CodeConflict, "service %s already exists in project %s", service, project)
	}
	if err != nil {
		return fmt.Errorf("insert service: %w", err)
	}
	return nil
}

// DeleteService implements keptn.ProjectTx.
func (tx *keptnTx) DeleteService(project, service string) error {
	tx.resourcesChanged()
	tx.db.facts.wrote()
	res, err := tx.Exec(`DELETE FROM services WHERE project = ? AND name = ?`, project, service)
	if err != nil {
		return fmt.Errorf("delete service: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return keptn.Errorf(keptn.CodeNotFound, "service %s not found in project %s", service, project)
	}
	for _, q := range []string{
		`DELETE FROM resources WHERE project = ? AND service = ?`,
		`DELETE FROM service_images WHERE project = ? AND service = ?`,
	} {
		if _, err := tx.Exec(q, project, service); err != nil {
			return fmt.Errorf("delete service: %w", err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
