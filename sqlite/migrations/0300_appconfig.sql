-- AppConfig: resource documents, deployments, hosted versions, tags, alarms.

-- Applications, environments, configuration profiles and deployment
-- strategies as JSON documents in their wire shape. seq orders listings.
CREATE TABLE appconfig_docs (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	kind   TEXT NOT NULL,
	id     TEXT NOT NULL,
	parent TEXT NOT NULL DEFAULT '',
	name   TEXT NOT NULL DEFAULT '',
	body   TEXT NOT NULL,
	UNIQUE (kind, id)
);
CREATE INDEX appconfig_docs_parent ON appconfig_docs (kind, parent, seq);

-- Deployments; body holds the wire shape plus the engine's state.
CREATE TABLE appconfig_deployments (
	env_id     TEXT    NOT NULL,
	number     INTEGER NOT NULL,
	app_id     TEXT    NOT NULL,
	profile_id TEXT    NOT NULL,
	state      TEXT    NOT NULL,
	body       TEXT    NOT NULL,
	PRIMARY KEY (env_id, number)
);
CREATE INDEX appconfig_deployments_state ON appconfig_deployments (state);

CREATE TABLE appconfig_versions (
	profile_id   TEXT    NOT NULL,
	version      INTEGER NOT NULL,
	app_id       TEXT    NOT NULL,
	label        TEXT    NOT NULL DEFAULT '',
	content_type TEXT    NOT NULL,
	description  TEXT    NOT NULL DEFAULT '',
	content      BLOB    NOT NULL,
	PRIMARY KEY (profile_id, version)
);

CREATE TABLE appconfig_tags (
	arn   TEXT NOT NULL,
	key   TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (arn, key)
);

-- Alarms that environment monitors refer to; their state is set through
-- baton's API (there is no CloudWatch).
CREATE TABLE appconfig_alarms (
	name       TEXT PRIMARY KEY,
	state      TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	updated_ns INTEGER NOT NULL
);
