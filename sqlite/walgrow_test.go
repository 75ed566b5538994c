package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The writer grows the log ahead of the commits, and a copy of the files taken while the store runs (what a crash leaves
// behind: a log that ends in zeros) opens with every committed row.
func TestWALGrowsAheadAndRecovers(t *testing.T) {
	const capPages = 8000 // 32 MiB, more than the test writes
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	db, err := Open(context.Background(), path, Options{walCap: capPages, walGrowFrom: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	value := strings.Repeat("v", 2000)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				err := db.Write(context.Background(), func(tx *Tx) error {
					_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint(w, "-", i), value)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()

	// Inside a transaction that writes nothing, the log stays as it is; the
	// writer grows it before it starts the next group, so there the log ends
	// in zeros unless the last commits ended within the last growth's final
	// stretch without passing it. Then one more row is written and the
	// check repeats (each row takes the log on by a page: at most one
	// growth's worth of them).
	zeros := make([]byte, 64<<10)
	copied := false
	for i := 0; !copied; i++ {
		if i == 1000 {
			t.Fatal("the log never ended in zeros: the writer does not grow it")
		}
		err := db.Write(context.Background(), func(*Tx) error {
			wal, err := os.ReadFile(path + "-wal")
			if err != nil || len(wal) < len(zeros) || !bytes.Equal(wal[len(wal)-len(zeros):], zeros) {
				return err
			}
			copied = true
			return copyFiles(dir, path, path+"-wal")
		})
		if err != nil {
			t.Fatalf("copy the store's files: %v", err)
		}
		if !copied {
			err := db.Write(context.Background(), func(tx *Tx) error {
				_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint("more-", i), value)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	copyDB, err := Open(context.Background(), filepath.Join(dir, "copy", "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var n int
	if err := copyDB.Reader().QueryRow(`SELECT count(*) FROM settings WHERE key LIKE '%-%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	var want int
	if err := db.Reader().QueryRow(`SELECT count(*) FROM settings WHERE key LIKE '%-%'`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if n != want || n < 4*200 {
		t.Fatalf("the copy holds %d of %d committed rows", n, want)
	}
}

// copyFiles copies files into dir/copy.
func copyFiles(dir string, files ...string) error {
	if err := os.MkdirAll(filepath.Join(dir, "copy"), 0o700); err != nil {
		return err
	}
	for _, f := range files {
		src, err := os.Open(f)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(filepath.Join(dir, "copy", filepath.Base(f)))
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		if err := dst.Close(); err != nil {
			return err
		}
	}
	return nil
}

// The grower adds a chunk once the log has passed the end of the last one,
// and never grows it past its bound.
func TestWALGrowerStopsAtTheBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db-wal")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	g := newWALGrower(path, 1000, 4096)
	g.from = 1
	defer g.close()
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	extend := func(to int64) {
		t.Helper()
		if err := os.Truncate(path, to); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		name       string
		sqliteTo   int64 // the size SQLite's commit left, 0 for none
		wantSize   int64
		wantGrowth bool
	}{
		{"a commit extends the file: grow a chunk", 100, 100 + walGrowChunk, true},
		{"the next commits overwrite the zeros: nothing to do", 0, 100 + walGrowChunk, false},
		{"a commit passes the chunk: grow again", 200 + walGrowChunk, 200 + 2*walGrowChunk, true},
		{"close to the bound: grow up to it", g.limit - 10, g.limit, true},
		{"past the bound: leave it", g.limit + 10, g.limit + 10, false},
	} {
		if step.sqliteTo > 0 {
			extend(step.sqliteTo)
		}
		before := size()
		g.grow()
		if g.off {
			t.Fatalf("%s: the grower turned itself off", step.name)
		}
		if got := size(); got != step.wantSize || (got != before) != step.wantGrowth {
			t.Errorf("%s: the log is %d bytes (was %d), want %d", step.name, got, before, step.wantSize)
		}
	}
}

// BenchmarkGrowingLog measures group-committed single-row writes from 32
// goroutines to a fresh store, whose log grows with every commit: with the
// writer growing it ahead ("ahead") and without ("extend"). Run it with
// -benchtime=20000x or so: the log's growth covers its first ~30 MiB.
func BenchmarkGrowingLog(b *testing.B) {
	for _, ahead := range []bool{false, true} {
		name := map[bool]string{false: "extend", true: "ahead"}[ahead]
		b.Run(name, func(b *testing.B) {
			var commits, took atomic.Int64
			db, err := Open(context.Background(), filepath.Join(b.TempDir(), "b.db"), Options{OnCommit: func(_ int, d time.Duration) {
				commits.Add(1)
				took.Add(int64(d))
			}})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.wal.off = !ahead
			value := strings.Repeat("v", 300)
			var n atomic.Int64
			b.SetParallelism(32 / max(1, runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if err := db.Write(context.Background(), func(tx *Tx) error {
						_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint(i), value)
						return err
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if c := commits.Load(); c > 0 {
				b.ReportMetric(float64(took.Load())/float64(c)/1e3, "µs/commit")
			}
		})
	}
}
