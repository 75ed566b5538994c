package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/batonhq/baton/keptn"
)

// SLIProvider implements keptn.MonitoringTx.
func (tx *keptnTx) SLIProvider(project string) (string, error) {
	var p string
	err := tx.QueryRow(`SELECT provider FROM sli_providers WHERE project = ?`, project).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load sli provider: %w", err)
	}
	return p, nil
}

// SetSLIProvider implements keptn.MonitoringTx.
func (tx *keptnTx) SetSLIProvider(project, provider string) error {
	ok, err := tx.projectExists(project)
	if err != nil {
		return err
	}
	if !ok {
		return keptn.Errorf(keptn.CodeNotFound, "project %s not found", project)
	}
	if provider == "" {
		_, err = tx.Exec(`DELETE FROM sli_providers WHERE project = ?`, project)
	} else {
		_, err = tx.Exec(`INSERT INTO sli_providers (project, provider) VALUES (?, ?)
			ON CONFLICT (project) DO UPDATE SET provider = excluded.provider`, project, provider)
	}
	if err != nil {
		return fmt.Errorf("set sli provider: %w", err)
	}
	return nil
}

// ProjectSLIProvider implements keptn.MonitoringStore.
func (s *KeptnStore) ProjectSLIProvider(ctx context.Context, project string) (string, error) {
	ok, err := s.ProjectKnown(ctx, project)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", keptn.Errorf(keptn.CodeNotFound, "project %s not found", project)
	}
	var p string
	err = s.db.read.QueryRowContext(ctx, `SELECT provider FROM sli_providers WHERE project = ?`, project).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load sli provider: %w", err)
	}
	return p, nil
}
