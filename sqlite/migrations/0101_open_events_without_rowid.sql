-- Every dispatched task inserts and later deletes its open .triggered event
-- by id: as a WITHOUT ROWID table that is one B-tree (plus the type index)
-- instead of the id's index plus the rowid table.
CREATE TABLE open_events_new (
	id           TEXT    PRIMARY KEY,           -- events.id
	type         TEXT    NOT NULL,
	project      TEXT    NOT NULL,
	stage        TEXT    NOT NULL,
	service      TEXT    NOT NULL,
	execution_id TEXT    NOT NULL,
	due_ns       INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO open_events_new SELECT id, type, project, stage, service, execution_id, due_ns FROM open_events;
DROP TABLE open_events;
ALTER TABLE open_events_new RENAME TO open_events;
CREATE INDEX open_events_type ON open_events (type, due_ns);
