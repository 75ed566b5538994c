package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRows inserts n settings rows of size bytes each, keys prefix-0…, in
// one transaction, and fails it after the inserts if fail is set.
func writeRows(db *DB, prefix string, n, size int, fail bool) error {
	value := strings.Repeat("w", size)
	return db.Write(context.Background(), func(tx *Tx) error {
		for i := range n {
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint(prefix, "-", i), value); err != nil {
				return err
			}
		}
		if fail {
			return errors.New("fail on purpose")
		}
		return nil
	})
}

// countRows counts the settings rows whose key starts with prefix.
func countRows(t *testing.T, db *DB, prefix string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(`SELECT count(*) FROM settings WHERE key LIKE ?`, prefix+"-%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot copies the store's files, as a crash at this moment would leave
// them, while the writer runs a transaction that writes nothing, and opens
// the copy with the plain unix VFS.
func snapshot(t *testing.T, db *DB, dir, path string) *DB {
	t.Helper()
	copyDir := filepath.Join(dir, "copy")
	if err := os.RemoveAll(copyDir); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(context.Background(), func(*Tx) error { return copyFiles(dir, path, path+"-wal") }); err != nil {
		t.Fatalf("copy the store's files: %v", err)
	}
	c, err := Open(context.Background(), filepath.Join(copyDir, filepath.Base(path)), Options{plainVFS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var check string
	if err := c.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("the copy's integrity check: %q, %v", check, err)
	}
	return c
}

// A FULL store sends each commit's frames to its log in a few writes instead
// of two per frame, and a copy of its files taken after any commit (what a
// crash leaves behind) holds every committed row: nothing acknowledged is
// left in memory. A transaction larger than the page cache, whose frames
// spill to the log before it ends and are read back, commits or rolls back
// whole.
func TestWALVFSGathersCommitWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	in, out := walWritesIn.Load(), walWritesOut.Load()
	const commits, rows = 20, 30 // 30 rows of 3000 bytes: 30 pages and more a commit
	for c := range commits {
		if err := writeRows(db, fmt.Sprint("c", c), rows, 3000, false); err != nil {
			t.Fatal(err)
		}
		if c%5 == 4 {
			cp := snapshot(t, db, dir, path)
			for k := range c + 1 {
				if n := countRows(t, cp, fmt.Sprint("c", k)); n != rows {
					t.Fatalf("after commit %d the copy holds %d of commit %d's %d rows", c, n, k, rows)
				}
			}
			cp.Close()
		}
	}
	in, out = walWritesIn.Load()-in, walWritesOut.Load()-out
	if in < 2*rows*commits {
		t.Fatalf("SQLite wrote %d times to the log for %d commits of %d rows: the store does not use %s", in, commits, rows, walVFSName)
	}
	if out*10 > in {
		t.Fatalf("%d writes reached the log for SQLite's %d: not gathered", out, in)
	}

	// 4,000 rows of 3000 bytes are 12 MB, six times the page cache.
	if err := writeRows(db, "spilled-and-failed", 4000, 3000, true); err == nil {
		t.Fatal("a failing transaction committed")
	}
	if err := writeRows(db, "spilled", 4000, 3000, false); err != nil {
		t.Fatal(err)
	}
	// With a page cache of 8 pages, rewriting rows just written reads back
	// pages that spilled a moment ago, some of them still gathered.
	err = db.Write(context.Background(), func(tx *Tx) error {
		if _, err := tx.Exec(`PRAGMA cache_size = 8`); err != nil {
			return err
		}
		defer tx.Exec(`PRAGMA cache_size = -2000`)
		value := strings.Repeat("r", 3000)
		for i := range 300 {
			if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint("reread-", i), value); err != nil {
				return err
			}
			if i >= 10 {
				if _, err := tx.Exec(`UPDATE settings SET value = upper(value) WHERE key = ?`, fmt.Sprint("reread-", i-10)); err != nil {
					return err
				}
			}
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM settings WHERE key LIKE 'reread-%' AND value = upper(value)`).Scan(&n); err != nil {
			return err
		}
		if n != 290 {
			return fmt.Errorf("the transaction reads %d of its 290 rewritten rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := writeRows(db, "after", 10, 100, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*DB{db, snapshot(t, db, dir, path)} {
		for prefix, want := range map[string]int{"spilled-and-failed": 0, "spilled": 4000, "reread": 300, "after": 10, "c0": rows} {
			if n := countRows(t, d, prefix); n != want {
				t.Errorf("%d rows %s-…, want %d", n, prefix, want)
			}
		}
	}
}

// At synchronous=NORMAL a commit does not sync the log, so its frames must
// reach the file at once: such a store keeps the unix VFS.
func TestWALVFSOnlyAtFull(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := walWritesIn.Load()
	if err := writeRows(db, "n", 30, 3000, false); err != nil {
		t.Fatal(err)
	}
	if got := walWritesIn.Load() - in; got != 0 {
		t.Fatalf("a NORMAL store's commit went through %s (%d writes)", walVFSName, got)
	}
}

// BenchmarkWALWrites measures commits of 30 pages (30 rows of 3000 bytes)
// one after another on a FULL store, with its log's writes gathered
// ("baton-wal") and with the unix VFS's two writes per frame ("unix"),
// reporting besides the time per commit the process's CPU time per commit,
// which the host's speed moves less.
func BenchmarkWALWrites(b *testing.B) {
	for _, plain := range []bool{false, true} {
		b.Run(map[bool]string{false: "baton-wal", true: "unix"}[plain], func(b *testing.B) {
			db, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), Options{plainVFS: plain, Synchronous: "FULL"})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			value := strings.Repeat("v", 3000)
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := range b.N {
				err := db.Write(context.Background(), func(tx *Tx) error {
					for r := range 30 {
						if _, err := tx.Exec(`INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint(i%1000, "-", r), value); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/commit")
		})
	}
}
