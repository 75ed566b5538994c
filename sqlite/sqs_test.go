package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sqlite"
	"github.com/batonhq/baton/sqs"
)

func openSQS(t *testing.T, clk clock.Clock, path string) (*sqlite.DB, *sqlite.SQSStore, *sqs.Service) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := sqlite.NewSQSStore(db)
	if err != nil {
		t.Fatal(err)
	}
	return db, st, sqs.NewService(st, clk, sqs.Config{})
}

// SendInTx enqueues as part of another domain's transaction: the message
// exists only if that transaction commits, and waiting receivers wake then.
func TestSendInTx(t *testing.T) {
	ctx := context.Background()
	db, st, svc := openSQS(t, clock.Real{}, filepath.Join(t.TempDir(), "b.db"))
	q, err := svc.CreateQueue(ctx, "events", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	arn := svc.ARN(q)
	waiting := make(chan []*sqs.Message, 1)
	go func() {
		wait := 20
		msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{WaitTimeSeconds: &wait})
		if err != nil {
			t.Error(err)
		}
		waiting <- msgs
	}()
	boom := errors.New("the deployment step failed")
	err = db.Write(ctx, func(tx *sqlite.Tx) error {
		if _, err := svc.SendInTx(st.SQSTx(tx), arn, sqs.SendInput{Body: "rolled back"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write = %v", err)
	}
	var res *sqs.SendResult
	err = db.Write(ctx, func(tx *sqlite.Tx) error {
		if err := tx.SetSetting("deployment", "step 2"); err != nil {
			return err
		}
		res, err = svc.SendInTx(st.SQSTx(tx), arn, sqs.SendInput{Body: "committed"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case msgs := <-waiting:
		if len(msgs) != 1 || msgs[0].Body != "committed" || msgs[0].ID != res.MessageID {
			t.Fatalf("receiver got %+v", msgs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("receiver not woken by the committed transaction")
	}
	if _, err := svc.SendInTx(nil, "arn:aws:sqs:us-east-1:000000000000", sqs.SendInput{Body: "x"}); sqs.ErrorCode(err) != sqs.CodeQueueDoesNotExist {
		t.Errorf("bad arn: %v", err)
	}
}

func TestMaySend(t *testing.T) {
	ctx := context.Background()
	_, _, svc := openSQS(t, clock.Real{}, filepath.Join(t.TempDir(), "b.db"))
	open, _ := svc.CreateQueue(ctx, "open", map[string]string{"Policy": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:open"}]}`}, nil)
	closed, _ := svc.CreateQueue(ctx, "closed", nil, nil)
	for q, want := range map[*sqs.Queue]bool{open: true, closed: false} {
		got, err := svc.MaySend(ctx, svc.ARN(q), sqs.ServiceAppConfig, nil)
		if err != nil || got != want {
			t.Errorf("MaySend(%s) = %v, %v; want %v", q.Name, got, err, want)
		}
	}
	if _, err := svc.MaySend(ctx, "arn:aws:sqs:us-east-1:000000000000:none", sqs.ServiceAppConfig, nil); sqs.ErrorCode(err) != sqs.CodeQueueDoesNotExist {
		t.Errorf("MaySend of a missing queue: %v", err)
	}
}

// In-flight messages become visible again after their timeout across a
// restart: visibility is stored as a time.
func TestVisibilitySurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.db")
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	db, _, svc := openSQS(t, clk, path)
	q, _ := svc.CreateQueue(ctx, "q", nil, nil)
	if _, err := svc.Send(ctx, q, sqs.SendInput{Body: "in flight"}); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{}); len(msgs) != 1 {
		t.Fatal("not received")
	}
	db.Close()

	clk.Advance(10 * time.Second)
	_, _, svc = openSQS(t, clk, path)
	q, _ = svc.Queue(ctx, sqs.DefaultAccount, "q")
	if msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{}); len(msgs) != 0 {
		t.Fatal("in-flight message visible right after restart")
	}
	clk.Advance(21 * time.Second)
	msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{})
	if len(msgs) != 1 || msgs[0].ReceiveCount != 2 {
		t.Fatalf("after the timeout got %+v", msgs)
	}
}

func TestSendInTxAs(t *testing.T) {
	ctx := context.Background()
	db, st, svc := openSQS(t, clock.Real{}, filepath.Join(t.TempDir(), "b.db"))
	policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`
	open, _ := svc.CreateQueue(ctx, "open", map[string]string{"Policy": policy}, nil)
	closed, _ := svc.CreateQueue(ctx, "closed", nil, nil)
	err := db.Write(ctx, func(tx *sqlite.Tx) error {
		_, err := svc.SendInTxAs(st.SQSTx(tx), svc.ARN(open), sqs.ServiceAppConfig, nil, sqs.SendInput{Body: "allowed"})
		return err
	})
	if err != nil {
		t.Fatalf("allowed send: %v", err)
	}
	err = db.Write(ctx, func(tx *sqlite.Tx) error {
		_, err := svc.SendInTxAs(st.SQSTx(tx), svc.ARN(closed), sqs.ServiceAppConfig, nil, sqs.SendInput{Body: "denied"})
		return err
	})
	if sqs.ErrorCode(err) != sqs.CodeAccessDenied {
		t.Fatalf("send without a policy: %v", err)
	}
	for q, want := range map[*sqs.Queue]int{open: 1, closed: 0} {
		msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{MaxMessages: 10})
		if err != nil || len(msgs) != want {
			t.Errorf("%s holds %d messages (%v), want %d", q.Name, len(msgs), err, want)
		}
	}
}

// Concurrent receivers never get the same message while it is in flight.
func TestConcurrentReceiversGetDistinctMessages(t *testing.T) {
	ctx := context.Background()
	_, _, svc := openSQS(t, clock.Real{}, filepath.Join(t.TempDir(), "b.db"))
	q, _ := svc.CreateQueue(ctx, "q", map[string]string{"VisibilityTimeout": "3600"}, nil)
	const n = 300
	for i := 0; i < n; i += 10 {
		batch := make([]sqs.SendInput, 10)
		for j := range batch {
			batch[j] = sqs.SendInput{ID: "e" + string(rune('a'+j)), Body: "m"}
		}
		if _, err := svc.SendBatch(ctx, q, batch); err != nil {
			t.Fatal(err)
		}
	}
	seen := make(chan string, n+100)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{MaxMessages: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if len(msgs) == 0 {
					return
				}
				for _, m := range msgs {
					seen <- m.ID
				}
			}
		}()
	}
	wg.Wait()
	close(seen)
	got := map[string]int{}
	for id := range seen {
		got[id]++
		if got[id] > 1 {
			t.Fatalf("message %s received twice", id)
		}
	}
	if len(got) != n {
		t.Errorf("received %d distinct messages, want %d", len(got), n)
	}
}
