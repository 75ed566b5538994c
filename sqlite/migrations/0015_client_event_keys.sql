-- A client's (source, id) is kept as a 16-byte key, the first half of the
-- SHA-256 of source, a zero byte and id (baton_client_event_key, in
-- sqlite/keptn_client_ids.go), instead of the two strings: rows of about
-- half the size, compared with one memcmp, so the table stays in the page
-- cache longer and a new key's insert (every POST with an id) touches fewer
-- pages. 128 bits of SHA-256 make a collision, which would take one event
-- for a retry of another, out of reach even for a client choosing its ids.
CREATE TABLE client_event_keys (
	key           BLOB PRIMARY KEY,  -- baton_client_event_key(source, id)
	keptn_context TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO client_event_keys (key, keptn_context)
	SELECT baton_client_event_key(source, id), keptn_context FROM client_event_ids;
DROP TABLE client_event_ids;
