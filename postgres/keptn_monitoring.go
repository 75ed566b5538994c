package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/keptn"
)

func sliProvider(ctx context.Context, q querier, project string) (string, error) {
	var p string
	err := q.QueryRow(ctx, `SELECT provider FROM sli_providers WHERE project = $1`, project).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load sli provider: %w", err)
	}
	return p, nil
}

// SLIProvider implements keptn.MonitoringTx.
func (tx *keptnTx) SLIProvider(project string) (string, error) {
	return sliProvider(tx.ctx, tx.tx, project)
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
		_, err = tx.Exec(`DELETE FROM sli_providers WHERE project = $1`, project)
	} else {
		_, err = tx.Exec(`INSERT INTO sli_providers (project, provider) VALUES ($1, $2)
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
	return sliProvider(ctx, s.db.pool, project)
}
