-- Core: settings, the transactional outbox, Keptn events, projects, resources, secrets.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- The transactional outbox: work caused by a committed change (HTTP calls,
-- queue sends, timers). Rows are inserted in the same transaction as the change.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,             -- handler name, e.g. "webhook", "sqs.send", "timer"
	key        TEXT    NOT NULL DEFAULT '',  -- idempotency key handed to receivers
	payload    BLOB    NOT NULL,
	state      TEXT    NOT NULL DEFAULT 'pending', -- pending | running | done | dead
	attempts   INTEGER NOT NULL DEFAULT 0,
	due_at     INTEGER NOT NULL,             -- unix milliseconds
	lease_until INTEGER NOT NULL DEFAULT 0,  -- unix milliseconds, while running
	last_error TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, due_at);

-- Every attempt an outbox worker made, for the API, CLI and UI.
CREATE TABLE outbox_attempts (
	id         INTEGER PRIMARY KEY,
	outbox_id  INTEGER NOT NULL,
	started_at INTEGER NOT NULL,
	latency_us INTEGER NOT NULL,
	status     INTEGER NOT NULL DEFAULT 0,   -- HTTP status when there was one
	error      TEXT    NOT NULL DEFAULT '',
	excerpt    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_by_item ON outbox_attempts (outbox_id);

-- Keptn CloudEvents, the event history. body is the event as served.
CREATE TABLE events (
	seq           INTEGER PRIMARY KEY,
	id            TEXT    NOT NULL,
	type          TEXT    NOT NULL,
	source        TEXT    NOT NULL,
	time_ns       INTEGER NOT NULL,
	keptn_context TEXT    NOT NULL,
	triggered_id  TEXT    NOT NULL DEFAULT '',
	project       TEXT    NOT NULL DEFAULT '',
	stage         TEXT    NOT NULL DEFAULT '',
	service       TEXT    NOT NULL DEFAULT '',
	body          BLOB    NOT NULL
);
CREATE UNIQUE INDEX events_id ON events (id);
CREATE INDEX events_context ON events (keptn_context, seq);
CREATE INDEX events_project_time ON events (project, time_ns);
CREATE INDEX events_type_time ON events (type, time_ns);

CREATE TABLE projects (
	name             TEXT PRIMARY KEY,
	shipyard         TEXT    NOT NULL,
	shipyard_version TEXT    NOT NULL,
	created_ns       INTEGER NOT NULL,
	git_remote_url   TEXT    NOT NULL DEFAULT '',
	git_user         TEXT    NOT NULL DEFAULT '',
	git_public       TEXT    NOT NULL DEFAULT '',  -- non-secret credential fields, JSON
	git_sealed       BLOB,                         -- secret credential fields, sealed
	last_event_id    TEXT    NOT NULL DEFAULT '',
	last_event_context TEXT  NOT NULL DEFAULT '',
	last_event_ns    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE stages (
	project  TEXT    NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
	name     TEXT    NOT NULL,
	position INTEGER NOT NULL,
	parents  TEXT    NOT NULL DEFAULT '[]', -- JSON array of parent stage names
	PRIMARY KEY (project, name)
);

CREATE TABLE services (
	project    TEXT    NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
	name       TEXT    NOT NULL,
	created_ns INTEGER NOT NULL,
	PRIMARY KEY (project, name)
);

-- Latest event of each type per project/stage/service (ExpandedService.lastEventTypes)
-- and the deployed image.
CREATE TABLE service_stage_state (
	project       TEXT NOT NULL,
	stage         TEXT NOT NULL,
	service       TEXT NOT NULL,
	event_type    TEXT NOT NULL,
	event_id      TEXT NOT NULL,
	keptn_context TEXT NOT NULL,
	time_ns       INTEGER NOT NULL,
	PRIMARY KEY (project, stage, service, event_type)
);
CREATE TABLE service_images (
	project TEXT NOT NULL,
	stage   TEXT NOT NULL,
	service TEXT NOT NULL,
	image   TEXT NOT NULL,
	PRIMARY KEY (project, stage, service)
);

-- Resources (the config store). stage/service are '' at project level.
CREATE TABLE resources (
	project  TEXT NOT NULL,
	stage    TEXT NOT NULL DEFAULT '',
	service  TEXT NOT NULL DEFAULT '',
	uri      TEXT NOT NULL,
	content  BLOB NOT NULL,
	revision TEXT NOT NULL,
	updated_ns INTEGER NOT NULL,
	PRIMARY KEY (project, stage, service, uri)
);
-- Every write, so a resource can be read at a revision (gitCommitID).
CREATE TABLE resource_history (
	seq      INTEGER PRIMARY KEY,
	project  TEXT NOT NULL,
	stage    TEXT NOT NULL DEFAULT '',
	service  TEXT NOT NULL DEFAULT '',
	uri      TEXT NOT NULL,
	revision TEXT NOT NULL,
	content  BLOB,          -- NULL when the write deleted the resource
	created_ns INTEGER NOT NULL
);
CREATE INDEX resource_history_key ON resource_history (project, stage, service, uri, seq);
CREATE INDEX resource_history_revision ON resource_history (revision);

CREATE TABLE secrets (
	scope      TEXT NOT NULL,
	name       TEXT NOT NULL,
	keys       TEXT NOT NULL, -- JSON array of key names (not secret)
	sealed     BLOB NOT NULL, -- sealed JSON object of key -> value
	created_ns INTEGER NOT NULL,
	updated_ns INTEGER NOT NULL,
	PRIMARY KEY (scope, name)
);
