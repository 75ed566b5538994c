-- A client's (source, id) is kept as a 16-byte key, the first half of the
-- SHA-256 of source, a zero byte and id, as the SQLite store keeps it (its
-- migration 0015): smaller rows and index entries, and `baton store copy`
-- carries the keys across unchanged.
CREATE TABLE client_event_keys (
	key           BYTEA PRIMARY KEY,
	keptn_context TEXT NOT NULL
);
INSERT INTO client_event_keys (key, keptn_context)
	SELECT substring(sha256(convert_to(source, 'UTF8') || '\x00'::bytea || convert_to(id, 'UTF8')) FROM 1 FOR 16), keptn_context
	FROM client_event_ids;
DROP TABLE client_event_ids;
