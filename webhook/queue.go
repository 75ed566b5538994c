package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// QueueKind is the outbox kind of an event on its way to a queue baton
// does not host, or one that refused it.
const QueueKind = "webhook.queue"

// QueuePrincipal is the principal baton sends webhook queue messages as: a
// baton-hosted queue's policy must allow it sqs:SendMessage.
const QueuePrincipal = "Service:webhook.baton.dev"

// ErrQueueNotHosted is returned by QueueSender.SendInTx for a queue baton
// does not host.
var ErrQueueNotHosted = errors.New("queue not hosted by baton")

// QueueRefusal is a send a queue refused (its policy, its limits); retrying
// cannot fix it until the queue changes.
type QueueRefusal struct {
	Code    string
	Message string
}

func (e *QueueRefusal) Error() string { return e.Code + ": " + e.Message }

// QueueSender delivers events to SQS queues.
type QueueSender interface {
	// SendInTx sends to a baton-hosted queue inside the event's
	// transaction; ErrQueueNotHosted or a *QueueRefusal when it cannot.
	SendInTx(tx keptn.Tx, queueArn, body string, attrs map[string]string) error
	// Send delivers outside any transaction: to a hosted queue in a
	// transaction of its own, else to Amazon SQS.
	Send(ctx context.Context, queueArn, body string, attrs map[string]string) error
}

// queueJob is the outbox payload of QueueKind.
type queueJob struct {
	Queue string            `json:"queue"`
	Body  string            `json:"body"`
	Attrs map[string]string `json:"attributes"`
}

// checkQueues validates the queues of a webhook.
func checkQueues(version string, queues []string) error {
	if len(queues) > 0 && version != V1Beta1 {
		return fmt.Errorf("queues need apiVersion %s", V1Beta1)
	}
	for k, q := range queues {
		parts := strings.Split(q, ":")
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
			return fmt.Errorf("queues[%d]: %q is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)", k, q)
		}
	}
	return nil
}

// QueueAttributes are the message attributes of an event sent to a queue:
// type, project, stage, service and shkeptncontext (empty ones left out).
func QueueAttributes(ev *keptn.Event) map[string]string {
	project, stage, service := ev.Scope()
	attrs := map[string]string{}
	for k, v := range map[string]string{"type": ev.Type, "project": project, "stage": stage, "service": service, "shkeptncontext": ev.Shkeptncontext} {
		if v != "" {
			attrs[k] = v
		}
	}
	return attrs
}

// toQueues sends ev to each of w's queues: a hosted one in tx, the others
// (and a hosted one that refuses) through the outbox, where a refusal shows
// as a failed delivery that can be replayed once the queue allows it.
func (s *Service) toQueues(tx keptn.Tx, ev *keptn.Event, body []byte, w Webhook, i int) error {
	attrs := QueueAttributes(ev)
	for k, q := range w.Queues {
		if s.queues != nil {
			err := s.queues.SendInTx(tx, q, string(body), attrs)
			var refused *QueueRefusal
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrQueueNotHosted) && !errors.As(err, &refused) {
				return err
			}
		}
		payload, err := json.Marshal(queueJob{Queue: q, Body: string(body), Attrs: attrs})
		if err != nil {
			return err
		}
		key := fmt.Sprintf("%s-%d-q%d", ev.ID, i, k)
		if err := tx.Enqueue(keptn.Job{Kind: QueueKind, Key: key, Payload: payload}); err != nil {
			return err
		}
	}
	return nil
}

// HandleQueue implements outbox.Handler for QueueKind. A refusal is
// permanent (the item goes dead at once, visible in the deliveries); other
// failures are retried.
func (s *Service) HandleQueue(ctx context.Context, it outbox.Item) outbox.Result {
	start := time.Now()
	res := outbox.Result{Attempt: outbox.Attempt{Started: start}}
	var j queueJob
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		res.Failed, res.Permanent, res.Error = true, true, "corrupt queue job: "+err.Error()
		return res
	}
	var err error
	if s.queues == nil {
		err = &QueueRefusal{Code: "NotConfigured", Message: "this baton delivers to no queues"}
	} else {
		err = s.queues.Send(ctx, j.Queue, j.Body, j.Attrs)
	}
	var refused *QueueRefusal
	if err != nil {
		res.Failed, res.Error = true, fmt.Sprintf("send to %s: %v", j.Queue, err)
		res.Permanent = errors.As(err, &refused)
	}
	res.Latency = time.Since(start)
	return res
}

// QueueHook returns the event hook that sends events to the queues of the
// webhooks subscribed to them. Register it before the engines that emit
// events of their own (the sequence engine), so that queue messages follow
// the order of the events in the history.
func (s *Service) QueueHook() keptn.EventHook { return queueHook{s} }

type queueHook struct{ s *Service }

func (h queueHook) OnEvent(_ context.Context, tx keptn.Tx, ev *keptn.Event) error {
	matched, err := h.s.matched(tx, ev)
	if err != nil {
		return err
	}
	h.s.remember(ev, matched)
	if len(matched) == 0 {
		return nil
	}
	var body []byte
	for i, w := range matched {
		if len(w.Queues) == 0 {
			continue
		}
		if body == nil {
			if body, err = json.Marshal(ev); err != nil {
				return err
			}
		}
		if err := h.s.toQueues(tx, ev, body, w.Webhook, i); err != nil {
			return err
		}
	}
	return nil
}
