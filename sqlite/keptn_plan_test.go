package sqlite

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/batonhq/baton/keptn"
)

// The query of a service's last events by type reads the project's rows of
// service_last_events and the events after the table's bound by seq, and
// seeks each one's service and event.
func TestLastEventTypesPlanSeeks(t *testing.T) {
	db := openTest(t)
	plan := queryPlan(t, db, lastEventTypes, "p")
	for _, want := range []string{
		"SEARCH service_last_events USING PRIMARY KEY (project=?)",
		"SEARCH events USING INTEGER PRIMARY KEY (rowid>?)",
		"SEARCH sv USING INDEX sqlite_autoindex_services_1 (project=? AND name=?)",
		"SEARCH e USING INTEGER PRIMARY KEY (rowid=?)",
	} {
		if !slices.Contains(plan, want) {
			t.Errorf("no step %q in the plan:\n%s", want, strings.Join(plan, "\n"))
		}
	}
	for _, d := range plan {
		if strings.HasPrefix(d, "SCAN ") && d != "SCAN service_last_events_covered" && !strings.HasPrefix(d, "SCAN (subquery") && d != "SCAN l" {
			t.Errorf("plan step %q", d)
		}
	}
}

// Earlier evaluations, by scope, are read from the partial index of
// evaluation.finished events, whichever of the scope's levels are given.
func TestEvaluationQueriesPlanSeeks(t *testing.T) {
	db := openTest(t)
	for _, f := range []keptn.TypeFilter{
		{Type: keptn.TaskType("evaluation", "finished"), Project: []string{"p"}, Stage: []string{"dev"}, Service: []string{"web"},
			Source: []string{"lighthouse-service"}, Result: []string{"pass"}, ExcludeInvalidated: true, Limit: 3},
		{Type: keptn.TaskType("evaluation", "finished"), Project: []string{"p"}, Stage: []string{"dev"}, Limit: 30},
	} {
		q, args := eventsByTypeQuery(f)
		plan := queryPlan(t, db, q, args...)
		if len(plan) == 0 || !strings.HasPrefix(plan[0], "SEARCH events USING INDEX events_evaluations (project=? AND stage=?") {
			t.Errorf("plan of %+v:\n%s", f, strings.Join(plan, "\n"))
		}
	}
}

// Events queried by context are looked up through event_contexts and
// events_by_context, by seq, whatever other filters the query has.
func TestContextQueriesPlanSeeks(t *testing.T) {
	db := openTest(t)
	for _, c := range []struct {
		query string
		args  []any
	}{
		{"SELECT body FROM " + eventsFrom(2) + " WHERE " + inContexts(2) + " ORDER BY time_ns DESC, seq DESC LIMIT 10", []any{"a", "b"}},
		{"SELECT count(*) FROM " + eventsFrom(1) + " WHERE " + inContexts(1) + " AND type = ? AND project = ?", []any{"a", "t", "p"}},
		{"SELECT body FROM " + eventsFrom(1) + " WHERE type = ? AND project IN (?) AND " + inContexts(1) + " ORDER BY time_ns DESC, seq DESC", []any{"t", "p", "a"}},
	} {
		plan := queryPlan(t, db, c.query, c.args...)
		want := []string{"SEARCH events USING INTEGER PRIMARY KEY (rowid=?)", "LIST SUBQUERY 1",
			"SEARCH c USING PRIMARY KEY (keptn_context=?)", "SEARCH b USING PRIMARY KEY (first_seq=?)"}
		if len(plan) < len(want) || strings.Join(plan[:len(want)], "\n") != strings.Join(want, "\n") {
			t.Errorf("plan of %s:\n%s", c.query, strings.Join(plan, "\n"))
		}
	}
}

func queryPlan(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// A service's queue is read from the partial index of waiting executions.
func TestQueuePlanSeeks(t *testing.T) {
	db := openTest(t)
	for _, q := range []string{hasWaiting, nextWaiting} {
		plan := queryPlan(t, db, q, "p", "dev", "web")
		if len(plan) != 1 || !strings.HasPrefix(plan[0], "SEARCH sequence_executions USING ") ||
			!strings.HasSuffix(plan[0], "INDEX sequence_executions_waiting (project=? AND stage=? AND service=?)") {
			t.Errorf("plan of %s:\n%s", q, strings.Join(plan, "\n"))
		}
	}
}
