package postgres

import (
	"context"
	"sync/atomic"
	"time"
)

// Clock is the database's clock as this process sees it: the local clock
// plus the offset to the database server's clock_timestamp(), measured at
// Open and every clockSync after. Replicas that take their time from it
// agree on due times, visibility timeouts and event times to within the
// measurement's error (half a round trip), whatever their own clocks say.
// It implements clock.Clock.
type Clock struct {
	offset atomic.Int64 // nanoseconds to add to the local clock
}

// clockSync is how often the offset is measured again.
const clockSync = time.Minute

// Now returns the database's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// After waits for d (durations need no correction).
func (c *Clock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Clock returns the database clock of db.
func (db *DB) Clock() *Clock { return db.clock }

// offsetOf returns the offset of a server time read between before and
// after on the local clock: the server read it, on average, halfway.
func offsetOf(before, server, after time.Time) time.Duration {
	mid := before.Add(after.Sub(before) / 2)
	return server.Sub(mid)
}

// syncClock measures the offset once.
func (db *DB) syncClock(ctx context.Context) error {
	before := time.Now()
	var server time.Time
	if err := db.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&server); err != nil {
		return err
	}
	db.clock.offset.Store(int64(offsetOf(before, server, time.Now())))
	return nil
}

// syncClocks keeps the offset current until Close.
func (db *DB) syncClocks() {
	t := time.NewTicker(clockSync)
	defer t.Stop()
	for {
		select {
		case <-db.closed:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = db.syncClock(ctx) // keep the last offset on failure
		cancel()
	}
}
