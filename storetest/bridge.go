package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqs"
)

// OutboxByKeyPrefix (the Bridge): the items of one kind whose key is
// "<prefix>-…", with their attempts, and nothing else.
func testOutboxByKeyPrefix(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	lookup, ok := s.Outbox.(outbox.Lookup)
	if !ok {
		t.Fatal("the outbox store is no outbox.Lookup")
	}
	var jobs []keptn.Job
	for _, j := range []keptn.Job{
		{Kind: "webhook", Key: "ev1-0"}, {Kind: "webhook", Key: "ev1-1"}, {Kind: "webhook", Key: "ev10-0"},
		{Kind: "webhook", Key: "ev1"}, {Kind: "timer", Key: "ev1-0"}, {Kind: "webhook", Key: "ev2-0"},
	} {
		j.Payload = []byte("{}")
		jobs = append(jobs, j)
	}
	enqueue(t, s, jobs...)
	items, err := s.Outbox.Claim(ctx, time.Now(), 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := s.Outbox.Finish(ctx, it.ID, outbox.Attempt{Started: time.Now(), Status: 503, Error: "busy"}, outbox.StatePending, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := lookup.ByKeyPrefix(ctx, "webhook", []string{"ev1", "ev2"}, 10)
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
	if got, _ := lookup.ByKeyPrefix(ctx, "webhook", []string{"ev1", "ev2"}, 2); len(got) != 2 {
		t.Errorf("limit 2 returned %d", len(got))
	}
}

// SQSBrowse (the Bridge): Peek reads messages in every state and changes
// nothing; AllCounts counts every queue in one query.
func testSQSBrowse(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	st, ok := s.SQS.(sqs.Browser)
	if !ok {
		t.Fatal("the queue store is no sqs.Browser")
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc := sqs.NewService(s.SQS, clk, sqs.Config{})
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
			t.Fatalf("peek: %+v", msgs)
		}
	}
	if after, _ := st.AllCounts(ctx, svc.Account(), clk.Now()); after[a.ID] != counts[a.ID] {
		t.Errorf("peeking changed the counts: %+v", after[a.ID])
	}
}

// Overview (the Bridge): the newest execution per stage/service, the slot
// holders, a resource at every level, and sequences filtered by stage,
// service and result.
func testOverview(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	ov, ok := s.Keptn.(keptn.OverviewStore)
	if !ok {
		t.Fatal("the Keptn store is no keptn.OverviewStore")
	}
	createProject(t, s, "p", "web", "api")
	update(t, s, func(tx keptn.Tx) error {
		for _, x := range []*keptn.SequenceExecution{
			newExec("a1", "k1", "web", keptn.StateFinished), newExec("a2", "k2", "web", keptn.StateStarted),
			newExec("b1", "k3", "api", keptn.StateWaiting),
		} {
			if x.ID == "a1" {
				x.Scope.Result = keptn.ResultFail
			}
			if err := tx.PutExecution(x); err != nil {
				return err
			}
			if err := tx.PutSequenceContext(keptn.SequenceContext{KeptnContext: x.Scope.KeptnContext, Project: "p", Service: x.Scope.Service,
				Name: "delivery", Time: t0, State: x.Status.State}); err != nil {
				return err
			}
		}
		if err := tx.PutResources(keptn.ResourceKey{Project: "p"}, []keptn.Resource{{URI: "x.yaml", Content: []byte("p")}}, "r1", t0); err != nil {
			return err
		}
		return tx.PutResources(keptn.ResourceKey{Project: "p", Stage: "dev", Service: "web"}, []keptn.Resource{{URI: "x.yaml", Content: []byte("s")}}, "r2", t0)
	})
	latest, err := ov.LatestExecutions(ctx, "p")
	if err != nil || len(latest) != 2 || latest[0].ID != "a2" || latest[1].ID != "b1" {
		t.Errorf("LatestExecutions: %v %v", err, execIDs(latest))
	}
	if holders, err := ov.SlotHolders(ctx, "p"); err != nil || len(holders) != 1 || holders[0].ID != "a2" {
		t.Errorf("SlotHolders: %v %v", err, execIDs(holders))
	}
	lv, err := ov.ResourceLevels(ctx, "p", "x.yaml")
	if err != nil || len(lv) != 2 || lv[0].Stage != "" || lv[1].Service != "web" || string(lv[1].Content) != "s" {
		t.Errorf("ResourceLevels: %v %+v", err, lv)
	}
	for _, c := range []struct {
		f    keptn.SequenceFilter
		want int
	}{
		{keptn.SequenceFilter{Project: "p", Service: "web", Limit: 10}, 2},
		{keptn.SequenceFilter{Project: "p", Stage: "dev", Result: keptn.ResultFail, Limit: 10}, 1},
		{keptn.SequenceFilter{Project: "p", Stage: "prod", Limit: 10}, 0},
	} {
		if _, total, err := s.Keptn.SequenceContexts(ctx, c.f); err != nil || total != c.want {
			t.Errorf("SequenceContexts(%+v) = %d, %v; want %d", c.f, total, err, c.want)
		}
	}
}

func execIDs(xs []*keptn.SequenceExecution) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.ID)
	}
	return out
}
