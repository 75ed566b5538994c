package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A failing transaction in a group commit rolls back only its own changes.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var ok, failed atomic.Int32
	boom := errors.New("boom")
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, 'v')`, i); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, boom):
				failed.Add(1)
			default:
				t.Errorf("write %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	var n int
	db.Reader().QueryRow(`SELECT count(*) FROM settings`).Scan(&n)
	if n != int(ok.Load()) || failed.Load() != 67 {
		t.Fatalf("%d rows, %d ok, %d failed", n, ok.Load(), failed.Load())
	}
}

// A panicking transaction is reported as an error and rolled back.
func TestWritePanicIsAnError(t *testing.T) {
	db := openTest(t)
	err := db.Write(context.Background(), func(tx *Tx) error {
		tx.Exec(`INSERT INTO settings (key, value) VALUES ('a', 'b')`)
		panic("oops")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if _, ok, _ := db.Setting(context.Background(), "a"); ok {
		t.Fatal("panicking write was committed")
	}
	if err := db.Write(context.Background(), func(tx *Tx) error { return tx.SetSetting("x", "y") }); err != nil {
		t.Fatalf("writer broken after panic: %v", err)
	}
}

// A write alone in its batch (it runs without a savepoint) that fails is
// rolled back with its whole transaction, and the writer goes on.
func TestLoneWriteFailureRollsBack(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")
	for i := range 3 {
		err := db.Write(ctx, func(tx *Tx) error {
			if err := tx.SetSetting("k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write %d: got %v, want boom", i, err)
		}
		if _, ok, _ := db.Setting(ctx, "k"); ok {
			t.Fatalf("write %d: a failed write was committed", i)
		}
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.SetSetting("x", "y") }); err != nil {
		t.Fatalf("writer broken after a failed write: %v", err)
	}
	if v, ok, _ := db.Setting(ctx, "x"); !ok || v != "y" {
		t.Fatalf("setting x = %q, %v", v, ok)
	}
}

// AfterCommit runs only for transactions that committed.
func TestAfterCommit(t *testing.T) {
	db := openTest(t)
	var ran []string
	db.Write(context.Background(), func(tx *Tx) error { tx.AfterCommit(func() { ran = append(ran, "ok") }); return nil })
	db.Write(context.Background(), func(tx *Tx) error { tx.AfterCommit(func() { ran = append(ran, "bad") }); return errors.New("no") })
	if len(ran) != 1 || ran[0] != "ok" {
		t.Fatalf("ran %v", ran)
	}
}

func TestWriteAfterClose(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Write(context.Background(), func(tx *Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
}

// BenchmarkWrite measures group-committed single-row writes from 64 goroutines.
func BenchmarkWrite(b *testing.B) {
	db := openTest(b)
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := db.Write(context.Background(), func(tx *Tx) error {
				_, err := tx.Exec(`INSERT INTO outbox (kind, payload, due_at, created_at, updated_at) VALUES ('k', ?, 0, ?, ?)`, []byte("payload"), i, i)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
