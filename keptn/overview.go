package keptn

import "context"

// OverviewStore is the read side the Bridge's environment view needs beyond
// Store: one bounded query for a whole stages × services grid. The SQLite
// and PostgreSQL engines implement it.
type OverviewStore interface {
	// LatestExecutions returns, for each stage and service of project, its
	// newest execution (at most one per stage/service pair).
	LatestExecutions(ctx context.Context, project string) ([]*SequenceExecution, error)
	// SlotHolders returns the executions of project that hold their
	// stage/service slot (the ones waiting executions wait for).
	SlotHolders(ctx context.Context, project string) ([]*SequenceExecution, error)
	// ResourceLevels returns resource uri of project at every level where it
	// exists (project, stages, services), with Stage and Service set.
	ResourceLevels(ctx context.Context, project, uri string) ([]LevelResource, error)
}
