package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/batonhq/baton/client"
)

// A failed attempt is described once the delivery says when the next one
// began: while the next runs, the line waits; once it is recorded, the line
// tells the delay, as it does from the due time of a pending delivery.
func TestRetryLinesWaitForTheNextAttempt(t *testing.T) {
	delivery := func(js string) client.Delivery {
		t.Helper()
		var d client.Delivery
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := `{"time": "2026-12-01T14:00:00Z", "latencyMs": 100, "status": 500}`

	running := delivery(`{"state": "running", "maxAttempts": 8, "attempts": 2, "history": [` + first + `]}`)
	if n := shownAttempts(running); n != 0 {
		t.Fatalf("attempt 1 shown while attempt 2 runs (%d shown)", n)
	}

	pending := delivery(`{"state": "pending", "maxAttempts": 8, "attempts": 1, "due": "2026-12-01T14:00:00.4Z", "history": [` + first + `]}`)
	if n := shownAttempts(pending); n != 1 {
		t.Fatalf("%d attempts shown of a pending delivery with one", n)
	}
	if line, failed := retryLine(pending, 0); !failed || line != "attempt 1 of 8 answered 500, next in 300ms" {
		t.Fatalf("pending: %q, %v", line, failed)
	}

	done := delivery(`{"state": "done", "maxAttempts": 8, "attempts": 2, "history": [` + first +
		`, {"time": "2026-12-01T14:00:00.7Z", "latencyMs": 3, "status": 200}]}`)
	if n := shownAttempts(done); n != 2 {
		t.Fatalf("%d attempts shown of a finished delivery with two", n)
	}
	if line, _ := retryLine(done, 0); !strings.HasSuffix(line, ", next in 600ms") {
		t.Fatalf("recorded next attempt: %q", line)
	}
	if _, failed := retryLine(done, 1); failed {
		t.Fatal("a successful attempt described as failed")
	}
}
