-- appconfigdata sessions: the only usable token of each session, so a token
-- is redeemed once whichever replica a client reaches.
CREATE TABLE appconfig_sessions (
	session    TEXT PRIMARY KEY,
	next       BIGINT NOT NULL,
	expires_at BIGINT NOT NULL -- unix milliseconds
);
CREATE INDEX appconfig_sessions_expiry ON appconfig_sessions (expires_at);
