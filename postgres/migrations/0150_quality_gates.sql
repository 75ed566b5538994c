-- Quality gates: the SLI provider each project's evaluations ask, set by
-- monitoring.configure events.
CREATE TABLE sli_providers (
	project  TEXT PRIMARY KEY REFERENCES projects (name) ON DELETE CASCADE,
	provider TEXT NOT NULL
);

-- Earlier evaluations are looked up by type, scope and time.
CREATE INDEX events_type_scope ON events (type, project, stage, service, time_ns);
