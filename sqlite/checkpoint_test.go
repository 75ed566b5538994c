package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Checkpoints run in the background after commits, copy the log into the
// database file, and the log stays within the writer's bound however much
// is written; everything written reads back after a reopen.
func TestBackgroundCheckpoint(t *testing.T) {
	copiedSome := make(chan struct{})
	var once sync.Once
	var copied atomic.Int64
	const capPages = 400
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := Open(context.Background(), path, Options{walCap: capPages,
		OnCheckpoint: func(frames, n int, took time.Duration, err error) {
			if err != nil {
				t.Error(err)
			}
			if n > 0 {
				copied.Add(int64(n))
				once.Do(func() { close(copiedSome) })
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	value := strings.Repeat("x", 16<<10) // 4 pages
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 { // 4 × 300 × 4 pages = 12 × the bound
				err := db.Write(context.Background(), func(tx *Tx) error {
					_, err := tx.Exec(`INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)`, fmt.Sprint(w, "-", i%50), value+fmt.Sprint(i))
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
	select {
	case <-copiedSome:
	case <-time.After(10 * time.Second):
		t.Fatal("no background checkpoint copied frames")
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// The writer's checkpoint is skipped while the background one runs, so
	// the log may overshoot its bound by the commits made meanwhile; without
	// the bound it would grow to about 12 times it (frames: a header and a
	// 4 KiB page).
	if limit := int64(4*capPages) * (4096 + 24); fi.Size() > limit {
		t.Fatalf("write-ahead log is %d bytes, over %d", fi.Size(), limit)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for w := range 4 {
		var v string
		if err := db.Reader().QueryRow(`SELECT value FROM settings WHERE key = ?`, fmt.Sprint(w, "-", 299%50)).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != value+"299" {
			t.Fatalf("writer %d's last value lost: %.20q…", w, v[len(value):])
		}
	}
	t.Logf("background checkpoints copied %d frames", copied.Load())
}
