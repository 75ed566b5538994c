-- Client-supplied CloudEvent ids of events posted to POST /api/v1/event:
-- (source, id) is the idempotency key of a retried POST.
CREATE TABLE client_event_ids (
	source        TEXT NOT NULL,
	id            TEXT NOT NULL,
	keptn_context TEXT NOT NULL,
	PRIMARY KEY (source, id)
);
