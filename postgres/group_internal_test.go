package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batonhq/baton/postgres/pgtest"
)

// openGroupDB opens a store with one writer and a scratch table, and
// returns a function that holds that writer busy until it is called, so
// the Write calls made meanwhile queue up and commit as one group.
func openGroupDB(t *testing.T, opts Options) (db *DB, release func()) {
	t.Helper()
	opts.Writers = 1
	db, err := Open(context.Background(), pgtest.URL(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.pool.Exec(context.Background(), `CREATE TABLE scratch (k INT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	hold, running := make(chan struct{}), make(chan struct{})
	go db.Write(context.Background(), func(*Tx) error { close(running); <-hold; return nil })
	<-running
	return db, func() { close(hold) }
}

// waitQueued waits until n Write calls wait for the writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.ops) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", len(db.ops), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func scratchKeys(t *testing.T, db *DB) map[int]bool {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), `SELECT k FROM scratch`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]bool{}
	for rows.Next() {
		var k int
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		got[k] = true
	}
	return got
}

// TestGroupCommitIsolatesFailures: concurrent writes share one commit, and a
// write that fails, by its own error, a statement error or a panic, neither
// takes the others down nor leaves anything behind.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	db, release := openGroupDB(t, Options{OnCommit: func(ops int, _ time.Duration) {
		mu.Lock()
		sizes = append(sizes, ops)
		mu.Unlock()
	}})
	errOwn := errors.New("refused")
	const n = 20
	var after atomic.Int32
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(context.Background(), func(tx *Tx) error {
				if _, err := tx.Exec(`INSERT INTO scratch (k) VALUES ($1)`, i); err != nil {
					return err
				}
				tx.AfterCommit(func() { after.Add(1) })
				switch i {
				case 3:
					return errOwn
				case 7:
					_, err := tx.Exec(`INSERT INTO scratch (k) VALUES ($1)`, i) // duplicate key
					return err
				case 11:
					panic("boom")
				}
				return nil
			})
		}()
	}
	waitQueued(t, db, n)
	release()
	wg.Wait()
	for i, err := range errs {
		switch i {
		case 3:
			if !errors.Is(err, errOwn) {
				t.Errorf("write 3: %v, want its own error", err)
			}
		case 7, 11:
			if err == nil {
				t.Errorf("write %d succeeded", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	got := scratchKeys(t, db)
	for i := range n {
		if want := i != 3 && i != 7 && i != 11; got[i] != want {
			t.Errorf("key %d stored: %v, want %v", i, got[i], want)
		}
	}
	if a := after.Load(); a != n-3 {
		t.Errorf("after-commit functions ran %d times, want %d", a, n-3)
	}
	mu.Lock()
	defer mu.Unlock()
	grouped := 0
	for _, s := range sizes {
		grouped = max(grouped, s)
	}
	if grouped < n-3 {
		t.Errorf("largest commit carried %d writes (commits: %v), want the %d that succeeded together", grouped, sizes, n-3)
	}
}

// TestGroupCommitLockWait: a write that waits for a lock held elsewhere
// does not hold up the writes it was grouped with; it commits on its own
// once the lock is free.
func TestGroupCommitLockWait(t *testing.T) {
	db, release := openGroupDB(t, Options{})
	ctx := context.Background()
	if _, err := db.pool.Exec(ctx, `INSERT INTO scratch (k) VALUES (0)`); err != nil {
		t.Fatal(err)
	}
	holder, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, `SELECT k FROM scratch WHERE k = 0 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() {
		blocked <- db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE scratch SET k = -1 WHERE k = 0`)
			return err
		})
	}()
	waitQueued(t, db, 1)
	others := make(chan error, 5)
	for i := 1; i <= 5; i++ {
		go func() {
			others <- db.Write(ctx, func(tx *Tx) error {
				_, err := tx.Exec(`INSERT INTO scratch (k) VALUES ($1)`, i)
				return err
			})
		}()
	}
	waitQueued(t, db, 6)
	release()
	for range 5 {
		if err := <-others; err != nil {
			t.Fatalf("grouped write: %v", err)
		}
	}
	select {
	case err := <-blocked:
		t.Fatalf("the blocked write finished while the lock was held: %v", err)
	default:
	}
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-blocked; err != nil {
		t.Fatalf("blocked write after the lock was freed: %v", err)
	}
	got := scratchKeys(t, db)
	want := map[int]bool{-1: true, 1: true, 2: true, 3: true, 4: true, 5: true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}
