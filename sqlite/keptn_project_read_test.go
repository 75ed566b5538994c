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
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+lastEventTypes, "p")
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
