-- service_last_events is written every so many stored events, not by every
-- group commit (sqlite/keptn_last_events.go): it holds the events up to the
-- seq recorded here, and the reads add the events stored after it. Until
-- now every group wrote its rows, so it holds every event stored.
CREATE TABLE service_last_events_covered (seq INTEGER NOT NULL);
INSERT INTO service_last_events_covered (seq) SELECT coalesce(max(seq), 0) FROM events;
