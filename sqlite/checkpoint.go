package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Background checkpoints.
//
// SQLite copies the write-ahead log back into the database file in a
// checkpoint, which by default the committing connection runs itself once
// the log holds 1000 pages: the single writer then stops for the copy and two
// fsyncs (log and database file), and every caller queued behind it waits.
// baton instead checkpoints on a connection of its own, a short while after
// commits, with PASSIVE checkpoints that never block the writer or readers.
// A PASSIVE checkpoint copies the frames that were in the log when it
// started; the writer restarts the log at its next transaction once a
// checkpoint has copied all of it. Under a steady stream of commits that
// moment may not come, so the writer keeps SQLite's own checkpoint as a
// bound, at walCapPages: by then nearly every frame has been copied in the
// background and the writer's checkpoint is short.

const (
	// walCapPages is the writer's own autocheckpoint: the log's bound
	// (8000 pages of 4 KiB: 32 MiB).
	walCapPages = 8000
	// checkpointEvery is the least time between background checkpoints.
	checkpointEvery = 100 * time.Millisecond
)

// checkpointer runs PASSIVE checkpoints after commits, at most once per
// checkpointEvery, until the store closes.
func (db *DB) checkpointer(conn *sql.Conn) {
	defer db.bg.Done()
	defer conn.Close()
	var last time.Time
	var lastCopied int
	for {
		select {
		case <-db.ckptWake:
		case <-db.closed:
			return
		}
		if wait := checkpointEvery - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-db.closed:
				t.Stop()
				return
			}
		}
		last = time.Now()
		frames, backfilled, err := checkpoint(conn)
		// backfilled counts the log's frames copied so far, by any
		// checkpoint; it falls when the writer restarts the log. A failed
		// checkpoint knows nothing of it and leaves the count alone.
		copied := 0
		if err == nil {
			if copied = backfilled - lastCopied; copied < 0 {
				copied = backfilled
			}
			lastCopied = backfilled
		}
		if db.opts.OnCheckpoint != nil {
			db.opts.OnCheckpoint(frames, copied, time.Since(last), err)
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: frames in the log, and how many of
// them are now in the database file.
func checkpoint(conn *sql.Conn) (frames, backfilled int, err error) {
	var busy int
	err = conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &backfilled)
	if err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return frames, backfilled, nil
}

// wakeCheckpointer tells the checkpointer that commits happened.
func (db *DB) wakeCheckpointer() {
	select {
	case db.ckptWake <- struct{}{}:
	default:
	}
}
