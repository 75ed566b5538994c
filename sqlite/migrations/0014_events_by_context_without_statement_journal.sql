-- The event's INSERT is INSERT OR FAIL (sqlite/keptn.go): under the
-- default ABORT, a statement whose trigger writes more rows needs a
-- statement journal, a copy of every page it changes first, to undo itself;
-- it cost a tenth of the writer's CPU on ingest. FAIL keeps what the
-- statement changed before an error, and the transaction is rolled back
-- whole on any error anyway (the writer runs the group again, each call in
-- a savepoint). The events row is the statement's first write and its
-- constraints are checked before it, so a duplicate id still changes
-- nothing. The outer statement's conflict policy also governs the
-- trigger's statements, so the context's row is added only when missing
-- rather than by INSERT OR IGNORE, which would now fail.
DROP TRIGGER events_by_context_insert;
CREATE TRIGGER events_by_context_insert AFTER INSERT ON events BEGIN
	INSERT INTO event_contexts (keptn_context, first_seq)
		SELECT new.keptn_context, new.seq
		WHERE NOT EXISTS (SELECT 1 FROM event_contexts WHERE keptn_context = new.keptn_context);
	INSERT INTO events_by_context (first_seq, seq)
		SELECT first_seq, new.seq FROM event_contexts WHERE keptn_context = new.keptn_context;
END;
