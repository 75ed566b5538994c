package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	return openTestWith(t, Options{})
}

// openTestWith opens a store with opts in a temporary directory, closed
// when the test ends.
func openTestWith(t testing.TB, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), opts)
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

// AfterCommit and AfterCommitUnordered run only for transactions that
// committed, before Write returns.
func TestAfterCommit(t *testing.T) {
	db := openTest(t)
	var ran []string
	db.Write(context.Background(), func(tx *Tx) error {
		tx.AfterCommitUnordered(func() { ran = append(ran, "ok, unordered") })
		tx.AfterCommit(func() { ran = append(ran, "ok") })
		return nil
	})
	db.Write(context.Background(), func(tx *Tx) error {
		tx.AfterCommit(func() { ran = append(ran, "bad") })
		tx.AfterCommitUnordered(func() { ran = append(ran, "bad, unordered") })
		return errors.New("no")
	})
	if diff := cmp.Diff(ran, []string{"ok", "ok, unordered"}); diff != "" {
		t.Fatalf("ran (-got +want)\n%s", diff)
	}
}

// AfterCommitUnordered's functions run on the caller's goroutine, not the
// writer's: one that writes again completes (on the writer it would wait
// for itself).
func TestAfterCommitUnorderedRunsOffTheWriter(t *testing.T) {
	ctx := context.Background()
	// Closed only if the writes finish: Close would wait for a stuck writer.
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.Write(ctx, func(tx *Tx) error {
			tx.AfterCommitUnordered(func() {
				if err := db.Write(ctx, func(tx *Tx) error { return tx.SetSetting("inner", "v") }); err != nil {
					panic(err)
				}
			})
			return tx.SetSetting("outer", "v")
		})
	}()
	select {
	case err := <-done:
		t.Cleanup(func() { db.Close() })
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a write from an unordered after-commit function never finished: it ran on the writer")
	}
	for _, k := range []string{"outer", "inner"} {
		if _, ok, err := db.Setting(ctx, k); err != nil || !ok {
			t.Errorf("setting %s: %v, %v", k, ok, err)
		}
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

// queueGroup submits the writes of fns while the writer is held busy, so
// they share the next group commit, and returns their errors.
func queueGroup(t *testing.T, db *DB, fns ...func(tx *Tx) error) []error {
	t.Helper()
	release, held := make(chan struct{}), make(chan struct{})
	go db.Write(context.Background(), func(tx *Tx) error { close(held); <-release; return nil })
	<-held
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.Write(context.Background(), fn) }()
	}
	for deadline := time.Now().Add(10 * time.Second); len(db.ops) < len(fns); {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", len(db.ops), len(fns))
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	return errs
}

// The calls of a group run once each when all succeed. When one fails,
// the group runs again with savepoints: the others commit once (their
// after-commit functions run once), the failing one rolls back alone.
func TestGroupRunsAgainWhenACallFails(t *testing.T) {
	db := openTest(t)
	var runs [3]atomic.Int32
	var after, unordered [3]atomic.Int32
	write := func(i int, fail bool) func(tx *Tx) error {
		return func(tx *Tx) error {
			runs[i].Add(1)
			if err := tx.SetSetting(fmt.Sprint("k", i), "v"); err != nil {
				return err
			}
			tx.AfterCommit(func() { after[i].Add(1) })
			tx.AfterCommitUnordered(func() { unordered[i].Add(1) })
			if fail {
				return errors.New("boom")
			}
			return nil
		}
	}
	errs := queueGroup(t, db, write(0, false), write(1, false), write(2, false))
	for i := range 3 {
		if errs[i] != nil || runs[i].Load() != 1 || after[i].Load() != 1 || unordered[i].Load() != 1 {
			t.Fatalf("call %d of a group that succeeded: err %v, ran %d times, after-commit %d and %d times",
				i, errs[i], runs[i].Load(), after[i].Load(), unordered[i].Load())
		}
	}
	db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM settings WHERE key LIKE 'k%'`)
		return err
	})
	for i := range 3 {
		runs[i].Store(0)
		after[i].Store(0)
		unordered[i].Store(0)
	}

	// The writes are queued in order, but the group takes them in the order
	// they reached the channel: find which ran first from the run counts.
	errs = queueGroup(t, db, write(0, false), write(1, true), write(2, false))
	for i, want := range []bool{true, false, true} {
		_, ok, err := db.Setting(context.Background(), fmt.Sprint("k", i))
		if err != nil || ok != want || (errs[i] == nil) != want {
			t.Fatalf("call %d: committed %v (want %v), error %v", i, ok, want, errs[i])
		}
		if a, u := after[i].Load(), unordered[i].Load(); (a == 1) != want || a > 1 || u != a {
			t.Fatalf("call %d: after-commit ran %d times, unordered %d", i, a, u)
		}
	}
	if runs[1].Load() != 2 {
		t.Fatalf("the failing call ran %d times, want 2 (without and with a savepoint)", runs[1].Load())
	}
	if runs[0].Load()+runs[2].Load() < 2 || runs[0].Load() > 2 || runs[2].Load() > 2 {
		t.Fatalf("the others ran %d and %d times", runs[0].Load(), runs[2].Load())
	}
}
