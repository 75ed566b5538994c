-- Bridge sessions signed out before they expire, by the random id in their
-- cookie, so that every process sharing the database refuses them. Rows are
-- removed once the session would have expired anyway.
CREATE TABLE bridge_revoked_sessions (
    id         TEXT PRIMARY KEY,
    expires_ns INTEGER NOT NULL
) WITHOUT ROWID;
