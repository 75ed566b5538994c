package sqs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
)

// gatedStore is a Store whose Update waits for a gate before it runs the
// transaction's function, as SQLite's writer does while it commits the
// previous batch; it records the messages each transaction inserted.
type gatedStore struct {
	Store
	gate    chan struct{}
	failing error
	// hold, if set, keeps Update from returning, after the commit and its
	// AfterCommit functions, until it is closed.
	hold chan struct{}

	mu      sync.Mutex
	updates int
	batches [][]string // bodies per transaction
}

func (s *gatedStore) Update(ctx context.Context, fn func(Tx) error) error {
	<-s.gate
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates++
	if s.failing != nil {
		return s.failing
	}
	tx := &recordingTx{}
	if err := fn(tx); err != nil {
		return err
	}
	s.batches = append(s.batches, tx.bodies)
	for _, f := range tx.after {
		f()
	}
	if s.hold != nil {
		s.mu.Unlock()
		<-s.hold
		s.mu.Lock()
	}
	return nil
}

type recordingTx struct {
	Tx
	bodies []string
	after  []func()
}

func (tx *recordingTx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

func (tx *recordingTx) InsertMessages(queueID int64, msgs []NewMessage) error {
	for _, m := range msgs {
		tx.bodies = append(tx.bodies, m.Message.Body)
	}
	return nil
}

// joined returns how many messages wait in the queue's open send group.
func joined(s *Service, queueID int64) int {
	s.sends.mu.Lock()
	defer s.sends.mu.Unlock()
	if g := s.sends.open[queueID]; g != nil {
		return len(g.todo)
	}
	return 0
}

// waitJoined waits until n messages joined the queue's open group.
// sendJoined starts n sends to q one after another, each once the previous
// one joined the open group, and returns their errors as they answer.
func sendJoined(t *testing.T, s *Service, q *Queue, n int) <-chan error {
	t.Helper()
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.Send(context.Background(), q, SendInput{Body: fmt.Sprint("m", i)})
			errs <- err
		}()
		waitJoined(t, s, q.ID, i+1)
	}
	return errs
}

func waitJoined(t *testing.T, s *Service, queueID int64, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for joined(s, queueID) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages joined the send group, want %d", joined(s, queueID), n)
		}
		time.Sleep(time.Millisecond) // polling a condition, with a deadline
	}
}

func testQueue(id int64) *Queue {
	q := &Queue{ID: id, Account: DefaultAccount, Name: fmt.Sprint("q", id), Attributes: map[string]string{}}
	q.parse(DefaultMaxMessageSize)
	return q
}

// Sends to a queue that arrive while its first send waits for the store
// share that send's transaction; sends to another queue do not.
func TestSendsShareATransaction(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{})}
	s := NewService(st, clock.Real{}, Config{})
	q, other := testQueue(1), testQueue(2)
	ctx := context.Background()

	type outcome struct {
		res []SendResult
		err error
	}
	results := make(chan outcome, 8)
	send := func(q *Queue, bodies ...string) {
		var in []SendInput
		for i, b := range bodies {
			in = append(in, SendInput{ID: fmt.Sprint("e", i), Body: b})
		}
		go func() {
			res, err := s.send(ctx, q, in)
			results <- outcome{res, err}
		}()
	}
	send(q, "first")
	waitJoined(t, s, q.ID, 1)
	send(q, "second")
	waitJoined(t, s, q.ID, 2)
	send(q, "third", "fourth")
	waitJoined(t, s, q.ID, 4)
	send(other, "elsewhere")
	close(st.gate)

	ids := map[string]bool{}
	for range 4 {
		o := <-results
		if o.err != nil {
			t.Fatalf("send: %v", o.err)
		}
		for _, r := range o.res {
			if r.Err != nil || r.MessageID == "" || r.MD5OfBody == "" || ids[r.MessageID] {
				t.Fatalf("result %+v: want a distinct message id and a digest", r)
			}
			ids[r.MessageID] = true
		}
	}
	if st.updates != 2 {
		t.Errorf("%d transactions, want 2 (one per queue)", st.updates)
	}
	var got []string
	for _, b := range st.batches {
		if len(b) == 4 {
			got = b
		}
	}
	want := []string{"first", "second", "third", "fourth"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("transactions stored %q, want one with %q in order of arrival", st.batches, want)
	}
}

// The senders that joined a group are answered as soon as its transaction
// committed, while its leader has not yet returned from the store.
func TestJoinedSendersAnsweredAtCommit(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{}), hold: make(chan struct{})}
	s := NewService(st, clock.Real{}, Config{})
	q := testQueue(1)
	errs := sendJoined(t, s, q, 2)
	close(st.gate)
	// The leader is held in Update: only the sender that joined answers.
	select {
	case err := <-errs:
		if err != nil {
			t.Fatalf("joined sender: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sender that joined was not answered at commit")
	}
	select {
	case err := <-errs:
		t.Fatalf("the leader answered (%v) before its store returned", err)
	default:
	}
	close(st.hold)
	if err := <-errs; err != nil {
		t.Fatalf("leader: %v", err)
	}
}

// A failed transaction fails every send that joined it, and the next send
// starts a new group rather than joining the answered one.
func TestSendGroupFailure(t *testing.T) {
	boom := errors.New("disk on fire")
	st := &gatedStore{gate: make(chan struct{}), failing: boom}
	s := NewService(st, clock.Real{}, Config{})
	q := testQueue(1)
	errs := sendJoined(t, s, q, 2)
	close(st.gate)
	for range 2 {
		if err := <-errs; !errors.Is(err, boom) {
			t.Fatalf("send error = %v, want %v", err, boom)
		}
	}
	st.mu.Lock()
	st.failing = nil
	st.mu.Unlock()
	if _, err := s.Send(context.Background(), q, SendInput{Body: "later"}); err != nil {
		t.Fatalf("send after a failed group: %v", err)
	}
	if st.updates != 2 || len(st.batches) != 1 || fmt.Sprint(st.batches[0]) != "[later]" {
		t.Errorf("%d transactions storing %q, want 2 storing [[later]]", st.updates, st.batches)
	}
}

// A leader lets senders that are ready to run join its group before it
// submits it, even when the store would run the transaction at once: with
// one P, a sender started just before the leader reaches the store runs only
// when the leader yields, and then shares its transaction.
func TestLeaderGathersReadySenders(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	st := &gatedStore{gate: make(chan struct{})}
	close(st.gate) // an idle writer: transactions run as soon as submitted
	s := NewService(st, clock.Real{}, Config{})
	q := testQueue(1)
	ctx := context.Background()
	errs := make(chan error, 1)
	go func() {
		_, err := s.Send(ctx, q, SendInput{Body: "second"})
		errs <- err
	}()
	if _, err := s.Send(ctx, q, SendInput{Body: "first"}); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.updates != 1 || len(st.batches) != 1 || len(st.batches[0]) != 2 {
		t.Errorf("%d transactions storing %q, want one storing both messages", st.updates, st.batches)
	}
}
