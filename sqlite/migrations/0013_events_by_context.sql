-- Events are found by keptnContext through the seq of the context's first
-- event (events_by_context), whose entries for the contexts in flight share
-- the index's last pages, instead of an index on the random context UUID
-- that took every stored event to a random page (sqlite/keptn.go,
-- indexContext).
CREATE TABLE event_contexts (
	keptn_context TEXT    PRIMARY KEY,
	first_seq     INTEGER NOT NULL  -- events.seq of the context's first event
) WITHOUT ROWID;
INSERT INTO event_contexts SELECT keptn_context, min(seq) FROM events GROUP BY keptn_context;

CREATE TABLE events_by_context (
	first_seq INTEGER NOT NULL,  -- event_contexts.first_seq
	seq       INTEGER NOT NULL,  -- events.seq
	PRIMARY KEY (first_seq, seq)
) WITHOUT ROWID;
INSERT INTO events_by_context SELECT c.first_seq, e.seq FROM events e JOIN event_contexts c ON c.keptn_context = e.keptn_context;

DROP INDEX events_context;
