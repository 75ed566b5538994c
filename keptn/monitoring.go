package keptn

import "context"

// MonitoringTx records which SLI provider a project's evaluations ask (what
// Keptn kept in the ConfigMap lighthouse-config-<project>).
type MonitoringTx interface {
	// SLIProvider returns the project's SLI provider, "" when none is set.
	SLIProvider(project string) (string, error)
	// SetSLIProvider sets (or, with "", clears) the project's SLI provider;
	// CodeNotFound if the project does not exist.
	SetSLIProvider(project, provider string) error
}

// MonitoringStore is the read side of MonitoringTx.
type MonitoringStore interface {
	// ProjectSLIProvider returns the project's SLI provider, "" when none is
	// set; CodeNotFound if the project does not exist.
	ProjectSLIProvider(ctx context.Context, project string) (string, error)
}
