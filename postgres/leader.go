package postgres

import (
	"context"
	"time"
)

// Periodic duties (today: dropping expired appconfigdata sessions) run on
// one replica at a time: the holder of a lease row, renewed on every round,
// taken over by another replica once it lapses on the database clock.

// dutyEvery is how often the duties run on the leader.
const dutyEvery = time.Minute

// Lead reports whether this process holds (or has now taken) the lease
// named name for ttl.
func (db *DB) Lead(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	tag, err := db.pool.Exec(ctx, `INSERT INTO leases (name, owner, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE leases.owner = excluded.owner OR leases.expires_at < clock_timestamp()`, name, db.owner, ttl.Milliseconds())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// duties runs the periodic duties while this process leads, until Close.
func (db *DB) duties() {
	t := time.NewTicker(dutyEvery)
	defer t.Stop()
	for {
		select {
		case <-db.closed:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), dutyEvery/2)
		if lead, err := db.Lead(ctx, "duties", 3*dutyEvery); err == nil && lead {
			_ = db.sweepSessions(ctx) // retried next round
		}
		cancel()
	}
}
