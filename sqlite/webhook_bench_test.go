package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// BenchmarkWebhookCallWrites measures the writer's share of a
// fire-and-forget webhook call as baton bench webhooks drives it at
// saturation, without HTTP or hooks: per call, the ingest stores the task's
// .triggered and .started and enqueues the call; a later group records the
// call's outcome with its .finished. With synchronous=NORMAL the time is the
// writer's CPU (and its WAL writes); ckptframes/call counts the pages the
// background checkpoints copied.
func BenchmarkWebhookCallWrites(b *testing.B) {
	var frames atomic.Int64
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "t.db"), Options{
		Synchronous: "NORMAL",
		OnCheckpoint: func(n, _ int, _ time.Duration, _ error) {
			frames.Add(int64(n))
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	w := newCallWorkload(db)
	cpu0 := cpuTime()
	b.ResetTimer()
	for done := 0; done < b.N; done += callGroup {
		w.group(b)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/call")
	b.ReportMetric(float64(frames.Load())/float64(b.N), "ckptframes/call")
}

// cpuTime is the process's CPU time so far (user and system): on a busy
// machine it tells the work done better than the time it took.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// callGroup is how many calls' ingests a group commit holds at saturation.
const callGroup = 11

// callWorkload runs the writes of webhook calls in groups: each group, one
// transaction as the writer's group commit of its calls would be, holds
// callGroup ingests and the outcomes of the group before (claimed early).
type callWorkload struct {
	db     *DB
	ks     *KeptnStore
	os     *OutboxStore
	events *keptn.Events
	prev   []outbox.Item
	prevEv []*keptn.Event
}

func newCallWorkload(db *DB) *callWorkload {
	ks := NewKeptnStore(db)
	os := NewOutboxStore(db)
	os.EarlyClaim = true
	return &callWorkload{db: db, ks: ks, os: os, events: keptn.NewEvents(ks, clock.Real{})}
}

var (
	callData    = map[string]any{"project": "bench-webhooks-1a2b3c4d", "stage": "dev", "service": "svc"}
	callWebhook = []byte(`{"type":"sh.keptn.event.bench.triggered","sendFinished":true,"sendStarted":true,"requests":[{"url":"http://127.0.0.1:40000/call","method":"POST","payload":"{\"kc\":\"{{.shkeptncontext}}\"}"}]}`)
)

// callIngest is a call's ingest as the handler prepares it, outside the
// writer: its events and their bodies, the job's payload.
type callIngest struct {
	ev, st            *keptn.Event
	body, sb, payload []byte
}

func (w *callWorkload) prepare() callIngest {
	ev, _ := w.events.New("sh.keptn.event.bench.triggered", "baton-bench", uuid.NewString(), "", callData)
	body, _ := json.Marshal(ev)
	st, _ := w.events.New("sh.keptn.event.bench.started", "webhook-service", ev.Shkeptncontext, ev.ID, callData)
	sb, _ := json.Marshal(st)
	payload := append(append(append([]byte(`{"event":`), body...), `,"webhook":`...), callWebhook...)
	payload = append(payload, `,"task":"bench"}`...)
	return callIngest{ev, st, body, sb, payload}
}

func (w *callWorkload) ingest(tx *Tx, p callIngest) error {
	kt := w.ks.keptnTx(tx)
	if err := kt.InsertEvent(p.ev, p.body); err != nil {
		return err
	}
	if err := kt.InsertEvent(p.st, p.sb); err != nil {
		return err
	}
	return kt.Enqueue(keptn.Job{Kind: "webhook", Key: p.ev.ID + "-0", Payload: p.payload})
}

// outcomes are the outcomes of the calls of the group before, each with its
// .finished.
func (w *callWorkload) outcomes() []outbox.Outcome {
	var outs []outbox.Outcome
	for i, it := range w.prev {
		ev := w.prevEv[i]
		fd := map[string]any{"project": "bench-webhooks-1a2b3c4d", "stage": "dev", "service": "svc",
			"bench": map[string]any{"responses": []any{map[string]any{"ok": true}}}, "status": "succeeded", "result": "pass"}
		fin, _ := w.events.New("sh.keptn.event.bench.finished", "webhook-service", ev.Shkeptncontext, ev.ID, fd)
		fin.ID = keptn.DerivedID(ev.When(), []byte("baton:webhook:"+it.Key+":finished:0"))
		fb, _ := json.Marshal(fin)
		outs = append(outs, outbox.Outcome{ID: it.ID, Next: outbox.StateDone,
			Attempt: outbox.Attempt{Started: time.Now(), Latency: 150 * time.Microsecond, Status: 200, Excerpt: `{"ok":true}`},
			Effect: func(ctx context.Context, otx outbox.Tx) error {
				return w.ks.keptnTx(otx.(*Tx)).InsertEvent(fin, fb)
			}})
	}
	return outs
}

// group runs one group and claims its calls.
func (w *callWorkload) group(tb testing.TB) {
	ctx := context.Background()
	outs := w.outcomes()
	ps := make([]callIngest, callGroup)
	evs := make([]*keptn.Event, callGroup)
	for i := range ps {
		ps[i] = w.prepare()
		evs[i] = ps[i].ev
	}
	err := w.db.Write(ctx, func(tx *Tx) error {
		for _, p := range ps {
			if err := w.ingest(tx, p); err != nil {
				return err
			}
		}
		return w.os.completeBare(ctx, tx, outs)
	})
	if err != nil {
		tb.Fatal(err)
	}
	w.os.recorded(outs)
	items, err := w.os.Claim(ctx, time.Now(), callGroup, time.Minute)
	if err != nil || len(items) != callGroup {
		tb.Fatalf("claimed %d: %v", len(items), err)
	}
	w.prev, w.prevEv = items, evs
}
