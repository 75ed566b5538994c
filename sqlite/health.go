package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"github.com/batonhq/baton/health"
)

// SQLite primary result codes that baton reports as store conditions.
const (
	sqliteCorrupt = 11
	sqliteFull    = 13
	sqliteNotADB  = 26
)

// DefaultFullCheckAbove is the file size above which the full integrity
// check runs in the background after start (Options.FullCheckAbove).
const DefaultFullCheckAbove = 64 << 20

// ErrIntegrity is returned by Open when the database fails its integrity
// check at start.
var ErrIntegrity = errors.New("sqlite: database integrity check failed")

// condition is the store's health: set by failed writes and checks.
type condition struct {
	corrupt  atomic.Bool
	diskFull atomic.Bool
	checking atomic.Bool
}

// Problems returns what keeps the store from accepting writes (empty when
// healthy), in words safe to show on a readiness endpoint.
func (db *DB) Problems() []string {
	var out []string
	if db.cond.corrupt.Load() {
		out = append(out, "database: "+health.ErrCorrupt.Error())
	}
	if db.cond.diskFull.Load() {
		out = append(out, "disk: "+health.ErrDiskFull.Error())
	}
	return out
}

// StartCheck returns the integrity check Open ran: "integrity_check",
// "quick_check" (a large file; the full check is left to StartFullCheck) or
// "" (a new database).
func (db *DB) StartCheck() string { return db.startCheck }

// Checking reports whether the background integrity check is still running.
func (db *DB) Checking() bool { return db.cond.checking.Load() }

// classify wraps err with the store condition it shows (a full disk, damage)
// and records the condition.
func (db *DB) classify(err error) error {
	if err == nil {
		return nil
	}
	switch primaryCode(err) {
	case sqliteFull:
		db.cond.diskFull.Store(true)
		return fmt.Errorf("%w: %w", health.ErrDiskFull, err)
	case sqliteCorrupt, sqliteNotADB:
		db.markCorrupt(err.Error())
		return fmt.Errorf("%w: %w", health.ErrCorrupt, err)
	}
	return err
}

func (db *DB) markCorrupt(detail string) {
	if !db.cond.corrupt.Swap(true) && db.opts.OnCorrupt != nil {
		db.opts.OnCorrupt(detail)
	}
}

// querier runs queries (a *sql.DB or *sql.Conn).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// integrityCheck runs PRAGMA quick_check or integrity_check and returns the
// problems it lists (nil when the database is sound).
func integrityCheck(ctx context.Context, q querier, full bool) ([]string, error) {
	pragma := "PRAGMA quick_check(20)"
	if full {
		pragma = "PRAGMA integrity_check(20)"
	}
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			out = append(out, line)
		}
	}
	return out, rows.Err()
}

// checkAtStart checks the file before anything is written to it: a full
// integrity check for files up to FullCheckAbove, else a quick check now and
// the full one in the background (see StartFullCheck).
func checkAtStart(ctx context.Context, q querier, path string, above int64) (check string, err error) {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() == 0 {
		return "", nil // a new database
	}
	full := fi.Size() <= above
	check = "integrity_check"
	if !full {
		check = "quick_check"
	}
	problems, err := integrityCheck(ctx, q, full)
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	if err != nil {
		return "", integrityError(path, err)
	}
	return check, nil
}

// integrityError is Open's answer for a damaged file, whichever step found
// the damage, with what to do about it.
func integrityError(path string, err error) error {
	return fmt.Errorf("%w: %s: %w. Stop baton, restore the data directory from a backup (or salvage "+
		"what is readable with sqlite3's .recover), and start again", ErrIntegrity, path, err)
}

// damaged reports whether err is SQLite finding the file damaged or not a
// database at all.
func damaged(err error) bool {
	c := primaryCode(err)
	return c == sqliteCorrupt || c == sqliteNotADB
}

// primaryCode returns the SQLite primary result code err carries, or -1.
func primaryCode(err error) int {
	var ce interface{ Code() int }
	if !errors.As(err, &ce) {
		return -1
	}
	return ce.Code() & 0xff
}

// StartFullCheck runs the full integrity check in the background when Open
// ran only the quick one (a large file); damage it finds marks the store
// corrupt (no more writes) and is reported through Options.OnCorrupt. Call
// it once, after start-up writes. It returns whether a check started.
func (db *DB) StartFullCheck() bool {
	if !db.fullCheckDue {
		return false
	}
	db.fullCheckDue = false
	db.cond.checking.Store(true)
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		defer db.cond.checking.Store(false)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-db.closed:
				cancel()
			case <-ctx.Done():
			}
		}()
		problems, err := integrityCheck(ctx, db.read, true)
		if err != nil {
			_ = db.classify(err) // damage the check trips over marks the store corrupt
			return
		}
		if len(problems) > 0 {
			db.markCorrupt(strings.Join(problems, "; "))
		}
	}()
	return true
}
