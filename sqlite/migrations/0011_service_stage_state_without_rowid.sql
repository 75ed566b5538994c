-- service_stage_state is upserted by every event stored with a scope, by its
-- primary key only: as a WITHOUT ROWID table that is one B-tree to search
-- and write instead of the key's index plus the rowid table.
CREATE TABLE service_stage_state_new (
	project       TEXT NOT NULL,
	stage         TEXT NOT NULL,
	service       TEXT NOT NULL,
	event_type    TEXT NOT NULL,
	event_id      TEXT NOT NULL,
	keptn_context TEXT NOT NULL,
	time_ns       INTEGER NOT NULL,
	PRIMARY KEY (project, stage, service, event_type)
) WITHOUT ROWID;
INSERT INTO service_stage_state_new SELECT project, stage, service, event_type, event_id, keptn_context, time_ns FROM service_stage_state;
DROP TABLE service_stage_state;
ALTER TABLE service_stage_state_new RENAME TO service_stage_state;
