package sqlite

// Events are found by keptnContext through events_by_context (first_seq,
// seq), where first_seq is the seq of the context's first event, instead of
// an index on (keptn_context, seq): contexts are random UUIDs, so that index
// took every event to a random leaf page, one more page for each commit to
// write, while the events of the contexts in flight, which began recently,
// share the last pages of events_by_context. Only a context's first event
// writes a random page: its row in event_contexts. A trigger on events
// (migrations 0013 and 0014) keeps both, in the statement that stores the
// event, which runs as INSERT OR FAIL so that it needs no statement journal.
// Events are history and never deleted; code that ever deletes them must
// delete their events_by_context entries too, or a later event that reuses
// a deleted seq (the rowid is not AUTOINCREMENT) would be found under the
// deleted event's context.

// inContexts is the condition on events "keptn_context IN (n contexts)",
// served by event_contexts and events_by_context.
func inContexts(n int) string {
	return `seq IN (SELECT b.seq FROM event_contexts c JOIN events_by_context b ON b.first_seq = c.first_seq
		WHERE c.keptn_context IN (` + placeholders(n) + `))`
}

// eventsFrom is the FROM of a query of the events filtered by n contexts
// (none when n is 0): the events of a few contexts are few, so such a query
// looks them up by seq (inContexts) rather than searching an index of its
// other filters (NOT INDEXED still lets SQLite look rows up by rowid, and
// without it SQLite takes an index on type or project for the cheaper path).
func eventsFrom(n int) string {
	if n > 0 {
		return "events NOT INDEXED"
	}
	return "events"
}
