package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/batonhq/baton/outbox"
)

// waitQueued polls, with a deadline, until n write operations wait for the
// writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.ops) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d operations queued, want %d", len(db.ops), n)
		}
		time.Sleep(time.Millisecond) // polling with a deadline
	}
}

// TestEarlyClaimTakesOnlyCommittedItems: an early claim returns before its
// own commit, but never hands out an item whose enqueueing transaction has
// not committed yet (a call must not go out for a change that may roll
// back), even when the claim runs in the same group commit after it.
func TestEarlyClaimTakesOnlyCommittedItems(t *testing.T) {
	db := openTest(t)
	s := NewOutboxStore(db)
	s.EarlyClaim = true
	ctx := context.Background()
	// Hold the writer, then queue an enqueue and a claim behind it.
	entered, releaseFirst := make(chan struct{}), make(chan struct{})
	go db.Write(ctx, func(*Tx) error { close(entered); <-releaseFirst; return nil })
	<-entered
	go db.Write(ctx, func(tx *Tx) error { return tx.Enqueue(Job{Kind: "k", Payload: []byte("p")}) })
	waitQueued(t, db, 1)
	claimed := make(chan []outbox.Item, 1)
	go func() {
		items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil {
			t.Error(err)
		}
		claimed <- items
	}()
	// A claim that writes queues behind the enqueue; then hold the commit of
	// that group open with one more operation.
	deadline := time.Now().Add(10 * time.Second)
	for len(db.ops) < 2 && len(claimed) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling with a deadline
	}
	queued := len(db.ops)
	holdEntered, releaseHold := make(chan struct{}), make(chan struct{})
	go db.Write(ctx, func(*Tx) error { close(holdEntered); <-releaseHold; return nil })
	waitQueued(t, db, queued+1)
	close(releaseFirst)
	<-holdEntered // the enqueue (and any claim) ran; their group has not committed
	select {
	case items := <-claimed:
		for _, it := range items {
			var n int
			db.read.QueryRow(`SELECT count(*) FROM outbox WHERE id = ?`, it.ID).Scan(&n)
			if n == 0 {
				t.Errorf("claimed item %d before its enqueue committed", it.ID)
			}
		}
	case <-time.After(10 * time.Second):
		t.Error("claim did not return")
	}
	close(releaseHold)
	// Once committed, the item is claimable.
	waitFor := time.Now().Add(10 * time.Second)
	for {
		items, err := s.Claim(ctx, time.Now(), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 1 {
			break
		}
		if time.Now().After(waitFor) {
			t.Fatal("the committed item was never claimed")
		}
		time.Sleep(time.Millisecond) // polling with a deadline
	}
}
