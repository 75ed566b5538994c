-- Remote integrations (Keptn uniform registrations). Never expired by a TTL:
-- subscriptions are not lost when an integration stops pinging.
CREATE TABLE integrations (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	body      TEXT NOT NULL -- JSON of keptn.Integration
);
CREATE TABLE subscriptions (
	id             TEXT PRIMARY KEY,
	integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE
);
