-- The context's row is added by an upsert instead of INSERT … SELECT …
-- WHERE NOT EXISTS: an INSERT whose SELECT reads the table it writes
-- materializes the SELECT in an ephemeral table first, opened and freed on
-- every stored event whether or not the context was new, and the context
-- was looked up twice. DO NOTHING is the upsert's own policy: it holds
-- under the outer statement's OR FAIL (migration 0014), which replaces a
-- trigger statement's conflict clause but not an upsert. About 1.5–2 µs
-- less per stored event.
DROP TRIGGER events_by_context_insert;
CREATE TRIGGER events_by_context_insert AFTER INSERT ON events BEGIN
	INSERT INTO event_contexts (keptn_context, first_seq) VALUES (new.keptn_context, new.seq)
		ON CONFLICT (keptn_context) DO NOTHING;
	INSERT INTO events_by_context (first_seq, seq)
		SELECT first_seq, new.seq FROM event_contexts WHERE keptn_context = new.keptn_context;
END;
