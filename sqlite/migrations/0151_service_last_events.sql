-- A service's last event of each type (ExpandedService.lastEventTypes) is
-- kept in a row per project, stage, service and event type, written once
-- per group commit for each key its events touched (sqlite/keptn_last_events.go),
-- instead of being read from events_type_scope. That index put every
-- stored event on the page of its type and service, one of hundreds in the
-- middle of the index, so each event dirtied a page of its own: it was
-- about two fifths of storing an event under the sequence benchmark.
--
-- A row holds the newest event of its key by time, the later stored on a
-- tie, over every event ever stored: a pure function of the events, never
-- deleted (the reads keep only events since the service was (re)created).
CREATE TABLE service_last_events (
	project TEXT    NOT NULL,
	stage   TEXT    NOT NULL,
	service TEXT    NOT NULL,
	type    TEXT    NOT NULL,
	seq     INTEGER NOT NULL,  -- events.seq
	time_ns INTEGER NOT NULL,  -- events.time_ns
	PRIMARY KEY (project, stage, service, type)
) WITHOUT ROWID;

-- Filled through the index it replaces, key by key (a window over every
-- event would sort them all: 12 s against 0.6 s for a million events).
INSERT INTO service_last_events (project, stage, service, type, seq, time_ns)
SELECT g.project, g.stage, g.service, g.type,
	(SELECT e.seq FROM events e INDEXED BY events_type_scope
		WHERE e.type = g.type AND e.project = g.project AND e.stage = g.stage AND e.service = g.service AND e.time_ns = g.t
		ORDER BY e.seq DESC LIMIT 1),
	g.t
FROM (SELECT type, project, stage, service, max(time_ns) AS t FROM events INDEXED BY events_type_scope
	WHERE project != '' AND stage != '' AND service != '' GROUP BY type, project, stage, service) g;

DROP INDEX events_type_scope;

-- Earlier evaluations are looked up by scope and time (lighthouse, the
-- Bridge): a partial index holds the evaluation.finished events alone.
-- Queries name the type as this literal to use it (EventsByType).
CREATE INDEX events_evaluations ON events (project, stage, service, time_ns)
	WHERE type = 'sh.keptn.event.evaluation.finished';
