package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
)

// ByKeyPrefix finds the items of one kind whose key is "<prefix>-…", with
// their attempts, and nothing else.
func TestOutboxByKeyPrefix(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "b.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := sqlite.NewOutboxStore(db)
	err = db.Write(ctx, func(tx *sqlite.Tx) error {
		for _, j := range []sqlite.Job{
			{Kind: "webhook", Key: "ev1-0"}, {Kind: "webhook", Key: "ev1-1"}, {Kind: "webhook", Key: "ev10-0"},
			{Kind: "webhook", Key: "ev1"}, {Kind: "timer", Key: "ev1-0"}, {Kind: "webhook", Key: "ev2-0"},
		} {
			j.Payload = []byte("{}")
			if err := tx.Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := st.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := st.Finish(ctx, it.ID, outbox.Attempt{Started: time.Now(), Status: 503, Error: "busy"}, outbox.StatePending, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.ByKeyPrefix(ctx, "webhook", []string{"ev1", "ev2"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range got {
		keys = append(keys, r.Key)
		if len(r.History) != 1 || r.History[0].Status != 503 {
			t.Errorf("%s: attempts %+v", r.Key, r.History)
		}
	}
	if want := []string{"ev1-0", "ev1-1", "ev2-0"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if got, _ := st.ByKeyPrefix(ctx, "webhook", []string{"ev1", "ev2"}, 2); len(got) != 2 {
		t.Errorf("limit 2 returned %d", len(got))
	}
}

// Peek reads messages in every state and changes nothing; AllCounts counts
// every queue in one query.
func TestPeekAndAllCounts(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	_, st, svc := openSQS(t, clk, filepath.Join(t.TempDir(), "q.db"))
	a, err := svc.CreateQueue(ctx, "a", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateQueue(ctx, "b", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	delay := 60
	for _, in := range []sqs.SendInput{{Body: "one"}, {Body: "two"}, {Body: "later", DelaySeconds: &delay}} {
		if _, err := svc.Send(ctx, a, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Send(ctx, b, sqs.SendInput{Body: "b1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Receive(ctx, a, sqs.ReceiveInput{MaxMessages: 1}); err != nil { // "one" in flight
		t.Fatal(err)
	}
	counts, err := st.AllCounts(ctx, svc.Account(), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c := counts[a.ID]; c != (sqs.Counts{Visible: 1, NotVisible: 1, Delayed: 1}) {
		t.Errorf("a: %+v", c)
	}
	if c := counts[b.ID]; c != (sqs.Counts{Visible: 1}) {
		t.Errorf("b: %+v", c)
	}
	for range 2 {
		msgs, err := st.Peek(ctx, a.ID, clk.Now(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 || msgs[0].Body != "one" || msgs[0].ReceiveCount != 1 || msgs[1].ReceiveCount != 0 || msgs[2].Body != "later" {
			t.Fatalf("peek: %+v %+v %+v", msgs[0], msgs[1], msgs[2])
		}
	}
	if after, _ := st.AllCounts(ctx, svc.Account(), clk.Now()); after[a.ID] != counts[a.ID] {
		t.Errorf("peeking changed the counts: %+v", after[a.ID])
	}
}
