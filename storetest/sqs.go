package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/sqs"
)

// SQSSendInTx: a send inside another domain's transaction exists only if
// that transaction commits, and waiting receivers wake then.
func testSQSSendInTx(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
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
	err = s.AppConfig.Update(ctx, func(tx appconfig.Tx) error {
		if _, err := svc.SendInTx(s.SQSTx(tx), arn, sqs.SendInput{Body: "rolled back"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write = %v", err)
	}
	var res *sqs.SendResult
	err = s.AppConfig.Update(ctx, func(tx appconfig.Tx) error {
		if err := tx.PutAlarm(&appconfig.Alarm{Name: "step", State: "OK", UpdatedAt: t0}); err != nil {
			return err
		}
		res, err = svc.SendInTx(s.SQSTx(tx), arn, sqs.SendInput{Body: "committed"})
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

func testSQSMaySend(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
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

// SQSVisibilitySurvivesRestart: in-flight messages become visible again after
// their timeout across a restart: visibility is stored as a time.
func testSQSVisibilitySurvivesRestart(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := sqs.NewService(s.SQS, clk, sqs.Config{})
	q, _ := svc.CreateQueue(ctx, "q", nil, nil)
	if _, err := svc.Send(ctx, q, sqs.SendInput{Body: "in flight"}); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{}); len(msgs) != 1 {
		t.Fatal("not received")
	}
	s = e.Reopen(t, s)
	clk.Advance(10 * time.Second)
	svc = sqs.NewService(s.SQS, clk, sqs.Config{})
	q, _ = svc.Queue(ctx, sqs.DefaultAccount, "q")
	if msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{}); len(msgs) != 0 {
		t.Fatal("in-flight message visible right after restart")
	}
	clk.Advance(21 * time.Second)
	msgs, _ := svc.Receive(ctx, q, sqs.ReceiveInput{})
	if len(msgs) != 1 || msgs[0].ReceiveCount != 2 {
		t.Fatalf("after the timeout got %+v", msgs)
	}
	// The receipt of the second receive deletes it; the first one's does not.
	if errs, err := svc.Delete(ctx, q, []string{msgs[0].ReceiptHandle}); err != nil || errs[0] != nil {
		t.Fatalf("delete: %v %v", err, errs)
	}
	if c, _ := s.SQS.Counts(ctx, q.ID, clk.Now()); c != (sqs.Counts{}) {
		t.Errorf("counts after delete: %+v", c)
	}
}

func testSQSSendInTxAs(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
	policy := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`
	open, _ := svc.CreateQueue(ctx, "open", map[string]string{"Policy": policy}, nil)
	closed, _ := svc.CreateQueue(ctx, "closed", nil, nil)
	err := s.AppConfig.Update(ctx, func(tx appconfig.Tx) error {
		_, err := svc.SendInTxAs(s.SQSTx(tx), svc.ARN(open), sqs.ServiceAppConfig, nil, sqs.SendInput{Body: "allowed"})
		return err
	})
	if err != nil {
		t.Fatalf("allowed send: %v", err)
	}
	err = s.AppConfig.Update(ctx, func(tx appconfig.Tx) error {
		_, err := svc.SendInTxAs(s.SQSTx(tx), svc.ARN(closed), sqs.ServiceAppConfig, nil, sqs.SendInput{Body: "denied"})
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

// SQSConcurrentReceivers: concurrent receivers, each with its own service
// as separate replicas would have, never get the same message while it is
// in flight.
func testSQSConcurrentReceivers(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
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
			svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
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

// SQSFIFO: concurrent senders and receivers on a FIFO queue: every group is
// received in send order, a group is never in flight with two receivers,
// and a deduplication id sent twice is stored once.
func testSQSFIFO(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
	q, err := svc.CreateQueue(ctx, "q.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "3600"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const groups, perGroup = 4, 25
	var wg sync.WaitGroup
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
			for i := range perGroup {
				in := sqs.SendInput{Body: fmt.Sprint(i), GroupID: fmt.Sprint("g", g), DedupID: fmt.Sprint("g", g, "-", i)}
				for range 2 { // the second send is a duplicate
					if _, err := svc.Send(ctx, q, in); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if c, _ := s.SQS.Counts(ctx, q.ID, time.Now()); c.Visible != groups*perGroup {
		t.Fatalf("%d visible messages, want %d (deduplication)", c.Visible, groups*perGroup)
	}
	var mu sync.Mutex
	next := map[string]int{}
	total := 0
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
			for {
				msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{MaxMessages: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if len(msgs) == 0 {
					mu.Lock()
					done := total == groups*perGroup
					mu.Unlock()
					if done {
						return
					}
					continue
				}
				mu.Lock()
				for _, m := range msgs {
					if m.Body != fmt.Sprint(next[m.GroupID]) {
						t.Errorf("group %s: got %s, want %d", m.GroupID, m.Body, next[m.GroupID])
					}
					next[m.GroupID]++
					total++
				}
				mu.Unlock()
				handles := []string{}
				for _, m := range msgs {
					handles = append(handles, m.ReceiptHandle)
				}
				if errs, err := svc.Delete(ctx, q, handles); err != nil || errors.Join(errs...) != nil {
					t.Error(err, errs) // deleting unblocks the groups
				}
			}
		}()
	}
	wg.Wait()
}

// SQSQueues: listing by prefix with paging, dead-letter sources, update and
// delete.
func testSQSQueues(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	svc := sqs.NewService(s.SQS, clock.Real{}, sqs.Config{})
	dlq, _ := svc.CreateQueue(ctx, "dlq", nil, nil)
	rp := fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}`, svc.ARN(dlq))
	for _, name := range []string{"a_1", "a_2", "ab", "b"} {
		if _, err := svc.CreateQueue(ctx, name, map[string]string{"RedrivePolicy": rp}, map[string]string{"team": "x"}); err != nil {
			t.Fatal(err)
		}
	}
	err := s.SQS.Update(ctx, func(tx sqs.Tx) error {
		err := tx.InsertQueue(&sqs.Queue{Account: sqs.DefaultAccount, Name: "b", Attributes: map[string]string{}, Created: t0, Modified: t0})
		if sqs.ErrorCode(err) != sqs.CodeQueueNameExists {
			t.Errorf("second queue b: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := func(qs []*sqs.Queue) (out []string) {
		for _, q := range qs {
			out = append(out, q.Name)
		}
		return out
	}
	if got, err := s.SQS.Queues(ctx, sqs.DefaultAccount, "a_", "", 10); err != nil || fmt.Sprint(names(got)) != "[a_1 a_2]" {
		t.Errorf("prefix a_ (underscore is literal): %v %v", err, names(got))
	}
	if got, _ := s.SQS.Queues(ctx, sqs.DefaultAccount, "", "a_2", 2); fmt.Sprint(names(got)) != "[ab b]" {
		t.Errorf("after a_2: %v", names(got))
	}
	if got, _ := s.SQS.DeadLetterSources(ctx, svc.ARN(dlq), "", 10); len(got) != 4 || got[0].Tags["team"] != "x" {
		t.Errorf("dead-letter sources: %v", names(got))
	}
	b, _ := svc.Queue(ctx, sqs.DefaultAccount, "b")
	if err := svc.DeleteQueue(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQS.QueueByName(ctx, sqs.DefaultAccount, "b"); sqs.ErrorCode(err) != sqs.CodeQueueDoesNotExist {
		t.Errorf("deleted queue: %v", err)
	}
}

// SQSInsertMessages: a multi-row insert stores every message as given,
// whether the rows share their times and carry nothing but a body (the
// common batch) or differ in times, attributes, trace, group and
// deduplication ids; more than one statement's worth of rows too.
func testSQSInsertMessages(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc := sqs.NewService(s.SQS, clock.NewFake(now), sqs.Config{})
	q, err := svc.CreateQueue(ctx, "inserts", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hour := now.Add(time.Hour)
	var msgs []sqs.NewMessage
	add := func(m sqs.Message, visible, expires time.Time) {
		m.ID = fmt.Sprintf("id-%02d", len(msgs))
		if m.Body == "" {
			m.Body = fmt.Sprintf("body %02d", len(msgs))
		}
		if m.SentAt.IsZero() {
			m.SentAt = now
		}
		msgs = append(msgs, sqs.NewMessage{Message: &m, VisibleAt: visible, ExpiresAt: expires})
	}
	for i := range 12 { // plain rows sharing their times, two of them delayed
		visible := now
		if i == 3 || i == 11 {
			visible = now.Add(time.Minute)
		}
		add(sqs.Message{}, visible, hour)
	}
	v := "v"
	add(sqs.Message{Attributes: map[string]sqs.MessageAttribute{"k": {DataType: "String", StringValue: &v}}}, now, hour)
	add(sqs.Message{TraceHeader: "Root=1-abc"}, now, hour)
	add(sqs.Message{GroupID: "g"}, now, hour)
	add(sqs.Message{DedupID: "d"}, now, hour)
	add(sqs.Message{SentAt: now.Add(-time.Second)}, now, hour)
	add(sqs.Message{}, now, now.Add(30*time.Minute)) // expires earlier
	add(sqs.Message{Body: "with 'quotes', ?1 and \\ inside"}, now, hour)
	if err := s.SQS.Update(ctx, func(tx sqs.Tx) error { return tx.InsertMessages(q.ID, msgs) }); err != nil {
		t.Fatal(err)
	}
	c, err := s.SQS.Counts(ctx, q.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (sqs.Counts{Visible: len(msgs) - 2, Delayed: 2}); c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
	var got []*sqs.Message
	err = s.SQS.Update(ctx, func(tx sqs.Tx) error {
		got, err = tx.Receive(q, now.Add(2*time.Minute), now.Add(3*time.Minute), 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*sqs.Message{}
	for _, m := range got {
		byID[m.ID] = m
	}
	if len(byID) != len(msgs) {
		t.Fatalf("received %d messages, want %d", len(byID), len(msgs))
	}
	for _, nm := range msgs {
		want, m := nm.Message, byID[nm.Message.ID]
		if m == nil {
			t.Errorf("message %s not stored", want.ID)
			continue
		}
		if m.Body != want.Body || m.TraceHeader != want.TraceHeader || m.GroupID != want.GroupID || m.DedupID != want.DedupID ||
			!m.SentAt.Equal(want.SentAt) || attrString(m.Attributes) != attrString(want.Attributes) {
			t.Errorf("stored %+v\n want %+v", m, want)
		}
	}
	// The message with the earlier expiry goes first.
	if err := s.SQS.Update(ctx, func(tx sqs.Tx) error { return tx.Sweep(q.ID, now.Add(45*time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	c, err = s.SQS.Counts(ctx, q.ID, now.Add(45*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := (sqs.Counts{Visible: len(msgs) - 1}); c != want { // received until minute 3
		t.Errorf("counts after the sweep %+v, want %+v", c, want)
	}
}

func attrString(attrs map[string]sqs.MessageAttribute) string {
	out := ""
	for k, a := range attrs { // at most one in testSQSInsertMessages
		out += k + "=" + a.DataType
		if a.StringValue != nil {
			out += ":" + *a.StringValue
		}
	}
	return out
}

// SQSFIFOExpiredReceipt: on a FIFO queue a receipt handle deletes its
// message only while the message is in flight under it. After its
// visibility timeout, or once the message was received again, the delete
// fails with AWS's "The receipt handle has expired." and the message stays;
// a message already deleted deletes without an error. Standard queues keep
// accepting such handles.
func testSQSFIFOExpiredReceipt(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := sqs.NewService(s.SQS, clk, sqs.Config{})
	q, err := svc.CreateQueue(ctx, "q.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	receive := func(q *sqs.Queue) *sqs.Message {
		t.Helper()
		msgs, err := svc.Receive(ctx, q, sqs.ReceiveInput{})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("receive: %v %+v", err, msgs)
		}
		return msgs[0]
	}
	deleteOne := func(q *sqs.Queue, handle string) error {
		t.Helper()
		errs, err := svc.Delete(ctx, q, []string{handle})
		if err != nil {
			t.Fatal(err)
		}
		return errs[0]
	}
	expired := func(err error, handle string) bool {
		var se *sqs.Error
		return errors.As(err, &se) && se.Code == sqs.CodeInvalidParameterValue &&
			se.Message == "Value "+handle+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
	}
	if _, err := svc.Send(ctx, q, sqs.SendInput{Body: "one", GroupID: "g", DedupID: "1"}); err != nil {
		t.Fatal(err)
	}
	first := receive(q)
	clk.Advance(31 * time.Second)
	if err := deleteOne(q, first.ReceiptHandle); !expired(err, first.ReceiptHandle) {
		t.Fatalf("delete after the visibility timeout: %v, want the receipt handle has expired", err)
	}
	second := receive(q) // still there, received again
	if second.ReceiveCount != 2 {
		t.Fatalf("received again: %+v", second)
	}
	if err := deleteOne(q, first.ReceiptHandle); !expired(err, first.ReceiptHandle) {
		t.Fatalf("delete with the earlier receive's handle: %v, want the receipt handle has expired", err)
	}
	if err := deleteOne(q, second.ReceiptHandle); err != nil {
		t.Fatalf("delete in flight: %v", err)
	}
	if err := deleteOne(q, second.ReceiptHandle); err != nil {
		t.Fatalf("delete of a deleted message: %v", err)
	}
	if c, _ := s.SQS.Counts(ctx, q.ID, clk.Now()); c != (sqs.Counts{}) {
		t.Errorf("counts after delete: %+v", c)
	}

	std, err := svc.CreateQueue(ctx, "std", map[string]string{"VisibilityTimeout": "30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send(ctx, std, sqs.SendInput{Body: "one"}); err != nil {
		t.Fatal(err)
	}
	m := receive(std)
	clk.Advance(31 * time.Second)
	if err := deleteOne(std, m.ReceiptHandle); err != nil {
		t.Fatalf("standard queue, delete after the visibility timeout: %v", err)
	}
	if c, _ := s.SQS.Counts(ctx, std.ID, clk.Now()); c != (sqs.Counts{}) {
		t.Errorf("standard queue, counts after delete: %+v", c)
	}
}

// SQSUpdateAfterCommit: Update returns after the functions its transaction
// registered with AfterCommit ran (send groups answer their members from
// one), and runs none when the transaction rolled back.
func testSQSUpdateAfterCommit(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	ran := 0
	if err := s.SQS.Update(ctx, func(tx sqs.Tx) error {
		tx.AfterCommit(func() { ran++ })
		tx.AfterCommit(func() { ran++ })
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Fatalf("Update returned with %d of 2 after-commit functions run", ran)
	}
	boom := errors.New("boom")
	if err := s.SQS.Update(ctx, func(tx sqs.Tx) error {
		tx.AfterCommit(func() { ran++ })
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want %v", err, boom)
	}
	if ran != 2 {
		t.Fatal("a rolled-back transaction ran its after-commit function")
	}
}
