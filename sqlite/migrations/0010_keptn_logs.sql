-- Error logs of integrations (Keptn's POST /api/controlPlane/v1/log), kept
-- for keptn.LogTTL.
CREATE TABLE keptn_logs (
	seq             INTEGER PRIMARY KEY,
	integration_id  TEXT    NOT NULL,
	time_ns         INTEGER NOT NULL,
	body            TEXT    NOT NULL -- JSON of keptn.LogEntry
);
CREATE INDEX keptn_logs_time ON keptn_logs (time_ns);
CREATE INDEX keptn_logs_integration ON keptn_logs (integration_id, time_ns);
