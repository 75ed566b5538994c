package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/batonhq/baton/keptn"
)

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func loadShipyard(ctx context.Context, q queryer, project string) (*keptn.Shipyard, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT shipyard FROM projects WHERE name = ?`, project).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keptn.Errorf(keptn.CodeNotFound, "project %s not found", project)
	}
	if err != nil {
		return nil, fmt.Errorf("load shipyard: %w", err)
	}
	return keptn.ParseShipyard([]byte(raw))
}

// ProjectShipyard implements keptn.ProjectStore.
func (s *KeptnStore) ProjectShipyard(ctx context.Context, project string) (*keptn.Shipyard, error) {
	return loadShipyard(ctx, s.db.read, project)
}

// Shipyard implements keptn.ProjectTx.
func (tx *keptnTx) Shipyard(project string) (*keptn.Shipyard, error) {
	return loadShipyard(context.Background(), tx.Tx, project)
}

// ServiceExists implements keptn.ProjectTx.
func (tx *keptnTx) ServiceExists(project, service string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM services WHERE project = ? AND name = ?`, project, service).Scan(&n)
	return n > 0, err
}
