-- Sequence executions (the shipyard engine's state), their per-context
-- summary, open .triggered events and pauses.

-- One row per execution: indexed columns for lookups, the whole execution
-- (Keptn's SequenceExecution model plus baton's bookkeeping) as JSON.
CREATE TABLE sequence_executions (
	seq           INTEGER PRIMARY KEY,          -- creation order (FIFO queue)
	id            TEXT    NOT NULL UNIQUE,      -- the sequence .triggered event id
	keptn_context TEXT    NOT NULL,
	project       TEXT    NOT NULL,
	stage         TEXT    NOT NULL,
	service       TEXT    NOT NULL,
	name          TEXT    NOT NULL,
	state         TEXT    NOT NULL,
	holds_slot    INTEGER NOT NULL DEFAULT 0,   -- 1 while it runs in its project/stage/service
	current_triggered_id TEXT NOT NULL DEFAULT '',
	body          BLOB    NOT NULL
);
CREATE INDEX sequence_executions_context ON sequence_executions (keptn_context, seq);
CREATE INDEX sequence_executions_slot ON sequence_executions (project, stage, service, holds_slot);
CREATE INDEX sequence_executions_queue ON sequence_executions (project, stage, service, state, seq);
CREATE INDEX sequence_executions_task ON sequence_executions (current_triggered_id) WHERE current_triggered_id != '';

-- One row per keptnContext that ran a sequence (GET /sequence/{project}).
CREATE TABLE sequence_contexts (
	seq           INTEGER PRIMARY KEY,
	keptn_context TEXT    NOT NULL UNIQUE,
	project       TEXT    NOT NULL,
	service       TEXT    NOT NULL,
	name          TEXT    NOT NULL,
	time_ns       INTEGER NOT NULL,
	state         TEXT    NOT NULL
);
CREATE INDEX sequence_contexts_project ON sequence_contexts (project, time_ns);

-- Open .triggered events (GET /event/triggered/{eventType}).
CREATE TABLE open_events (
	id           TEXT    PRIMARY KEY,           -- events.id
	type         TEXT    NOT NULL,
	project      TEXT    NOT NULL,
	stage        TEXT    NOT NULL,
	service      TEXT    NOT NULL,
	execution_id TEXT    NOT NULL,
	due_ns       INTEGER NOT NULL
);
CREATE INDEX open_events_type ON open_events (type, due_ns);

-- Paused contexts: stage '' pauses every stage.
CREATE TABLE sequence_pauses (
	keptn_context TEXT NOT NULL,
	stage         TEXT NOT NULL,
	PRIMARY KEY (keptn_context, stage)
);

-- Timers are outbox items; completed tasks cancel theirs by key.
CREATE INDEX outbox_kind_key ON outbox (kind, key) WHERE state = 'pending';
