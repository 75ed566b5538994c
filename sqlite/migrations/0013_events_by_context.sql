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

-- Every stored event files itself under its context in the statement that
-- inserts it: its context's row is added by the context's first event (and
-- only looked up by the others, a read), then the event's entry.
CREATE TRIGGER events_by_context_insert AFTER INSERT ON events BEGIN
	INSERT OR IGNORE INTO event_contexts (keptn_context, first_seq) VALUES (new.keptn_context, new.seq);
	INSERT INTO events_by_context (first_seq, seq)
		SELECT first_seq, new.seq FROM event_contexts WHERE keptn_context = new.keptn_context;
END;
