package bridge

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/batonhq/baton/sqs"
)

func (b *Bridge) routeQueues(mux *http.ServeMux) {
	const p = "/bridge/queues"
	b.authed(mux, "GET "+p, b.queueList)
	b.authed(mux, "GET "+p+"/{name}", b.queueDetail)
	b.authed(mux, "POST "+p+"/{name}/send", b.queueSend)
	b.authed(mux, "POST "+p+"/{name}/purge", b.queuePurge)
	b.authed(mux, "POST "+p+"/{name}/redrive", b.queueRedrive)
}

type queueRow struct {
	Q      *sqs.Queue
	ARN    string
	Counts sqs.Counts
	DLQ    string // name of its dead-letter queue
}

// queueList is GET /bridge/queues: every queue with its counts (two queries).
func (b *Bridge) queueList(w http.ResponseWriter, r *http.Request) error {
	qs, _, err := b.cfg.SQS.ListQueues(r.Context(), "", 0, "")
	if err != nil {
		return err
	}
	counts, err := b.cfg.Queues.AllCounts(r.Context(), b.cfg.SQS.Account(), b.cfg.Clock.Now())
	if err != nil {
		return err
	}
	rows := make([]queueRow, len(qs))
	for i, q := range qs {
		rows[i] = b.queueRow(q, counts[q.ID])
	}
	return b.renderView(w, r, http.StatusOK, "queues", &view{Title: "Queues", Section: "queues", Data: rows})
}

func (b *Bridge) queueRow(q *sqs.Queue, c sqs.Counts) queueRow {
	row := queueRow{Q: q, ARN: b.cfg.SQS.ARN(q), Counts: c}
	if q.Redrive != nil {
		if _, name, ok := sqs.ParseARN(q.Redrive.DeadLetterTargetArn); ok {
			row.DLQ = name
		}
	}
	return row
}

type queueView struct {
	queueRow
	Messages []*sqs.Message
	Sources  []*sqs.Queue // queues whose dead letters land here
}

// peekLimit bounds a peek.
const peekLimit = 50

// queueDetail is GET /bridge/queues/{name}: counts, attributes and a peek at
// up to 50 messages that leaves visibility and receive counts alone.
func (b *Bridge) queueDetail(w http.ResponseWriter, r *http.Request) error {
	q, err := b.cfg.SQS.Queue(r.Context(), b.cfg.SQS.Account(), r.PathValue("name"))
	if err != nil {
		return err
	}
	now := b.cfg.Clock.Now()
	counts, err := b.cfg.Queues.AllCounts(r.Context(), b.cfg.SQS.Account(), now)
	if err != nil {
		return err
	}
	msgs, err := b.cfg.Queues.Peek(r.Context(), q.ID, now, peekLimit)
	if err != nil {
		return err
	}
	srcs, _, err := b.cfg.SQS.DeadLetterSources(r.Context(), q, 0, "")
	if err != nil {
		return err
	}
	return b.renderView(w, r, http.StatusOK, "queue", &view{Title: q.Name, Section: "queues",
		Data: queueView{queueRow: b.queueRow(q, counts[q.ID]), Messages: msgs, Sources: srcs}})
}

func (b *Bridge) formQueue(r *http.Request) (*sqs.Queue, error) {
	if err := r.ParseForm(); err != nil {
		return nil, userErrorf(http.StatusBadRequest, "The form could not be read.")
	}
	return b.cfg.SQS.Queue(r.Context(), b.cfg.SQS.Account(), r.PathValue("name"))
}

func queueDone(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, "/bridge/queues/"+url.PathEscape(r.PathValue("name"))+"?done="+done, http.StatusSeeOther)
}

// queueSend is POST /bridge/queues/{name}/send: a test message.
func (b *Bridge) queueSend(w http.ResponseWriter, r *http.Request) error {
	q, err := b.formQueue(r)
	if err != nil {
		return err
	}
	in := sqs.SendInput{Body: r.PostForm.Get("body")}
	if q.Fifo {
		in.GroupID = strings.TrimSpace(r.PostForm.Get("group"))
		if in.GroupID == "" {
			in.GroupID = "bridge"
		}
		in.DedupID = strings.TrimSpace(r.PostForm.Get("dedup"))
	}
	if _, err := b.cfg.SQS.Send(r.Context(), q, in); err != nil {
		return err
	}
	queueDone(w, r, "sent")
	return nil
}

// queuePurge is POST /bridge/queues/{name}/purge; the form must repeat the
// queue's name as confirmation.
func (b *Bridge) queuePurge(w http.ResponseWriter, r *http.Request) error {
	q, err := b.formQueue(r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != q.Name {
		return userErrorf(http.StatusBadRequest, "To purge, type the queue's name (%s) in the confirmation field. Nothing was deleted.", q.Name)
	}
	if err := b.cfg.SQS.Purge(r.Context(), q); err != nil {
		return err
	}
	queueDone(w, r, "purged")
	return nil
}

// redriveBatch is how many dead letters one move-back handles.
const redriveBatch = 10

// queueRedrive is POST /bridge/queues/{name}/redrive: up to 10 messages of a
// dead-letter queue go back to the queues they came from. Each is sent to
// its source, then deleted here: at least once, as SQS's own redrive.
func (b *Bridge) queueRedrive(w http.ResponseWriter, r *http.Request) error {
	dlq, err := b.formQueue(r)
	if err != nil {
		return err
	}
	vt := 30
	msgs, err := b.cfg.SQS.Receive(r.Context(), dlq, sqs.ReceiveInput{MaxMessages: redriveBatch, VisibilityTimeout: &vt})
	if err != nil {
		return err
	}
	var handles []string
	for _, m := range msgs {
		if m.DeadLetterSource == "" {
			continue // not a dead letter: it stays (visible again after 30 s)
		}
		src, err := b.cfg.SQS.QueueByARN(r.Context(), m.DeadLetterSource)
		if err != nil {
			return err
		}
		in := sqs.SendInput{Body: m.Body, Attributes: m.Attributes, GroupID: m.GroupID}
		if src.Fifo {
			in.DedupID = m.ID
		}
		if _, err := b.cfg.SQS.Send(r.Context(), src, in); err != nil {
			return err
		}
		handles = append(handles, m.ReceiptHandle)
	}
	if len(handles) > 0 {
		if _, err := b.cfg.SQS.Delete(r.Context(), dlq, handles); err != nil {
			return err
		}
	}
	queueDone(w, r, "moved")
	return nil
}
