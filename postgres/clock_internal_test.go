package postgres

import (
	"testing"
	"time"
)

func TestOffsetOf(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		before, server, after time.Duration
		want                  time.Duration
	}{
		{0, 5 * time.Millisecond, 10 * time.Millisecond, 0},                             // same clock
		{0, 3*time.Second + 5*time.Millisecond, 10 * time.Millisecond, 3 * time.Second}, // database ahead
		{0, -2 * time.Second, 0, -2 * time.Second},                                      // database behind
	} {
		got := offsetOf(base.Add(c.before), base.Add(c.server), base.Add(c.after))
		if got != c.want {
			t.Errorf("offsetOf(%v, %v, %v) = %v, want %v", c.before, c.server, c.after, got, c.want)
		}
	}
}
