package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The query of a service's last events by type seeks the events' indexes
// key by key: no step scans the events, except the first, which reads the
// first entry of events_type_time in order (LIMIT 1).
func TestLastEventTypesPlanSeeks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := queryPlan(t, db, lastEventTypes, "p")
	scans := 0
	for _, d := range plan {
		switch {
		case d == "SCAN events USING COVERING INDEX events_type_time":
			scans++
		case strings.Contains(d, " events ") && !strings.HasPrefix(d, "SEARCH events USING "),
			strings.Contains(d, " e ") && d != "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)":
			t.Errorf("plan step %q", d)
		}
	}
	if scans != 1 {
		t.Errorf("%d ordered scans of events_type_time, want 1; plan:\n%s", scans, strings.Join(plan, "\n"))
	}
}

// Events queried by context are looked up through event_contexts and
// events_by_context, by seq, whatever other filters the query has.
func TestContextQueriesPlanSeeks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
