package extension

import (
	"errors"
	"fmt"

	"github.com/batonhq/baton/appconfig"
)

// ErrNotHosted is returned by Deliverer.SendToQueue when baton has no such queue.
var ErrNotHosted = errors.New("queue not hosted by baton")

// Refused is a delivery a target refused (for example a queue policy that
// does not allow appconfig.amazonaws.com); it is recorded, not retried.
type Refused struct {
	Code    string
	Message string
}

func (e *Refused) Error() string { return e.Code + ": " + e.Message }

// Deliverer reaches baton's own queues and the outbox inside a write
// transaction of the AppConfig store.
type Deliverer interface {
	// SendToQueue sends body to the queue queueArn in tx on behalf of
	// appconfig.amazonaws.com, whose sqs:SendMessage the queue's policy must
	// allow under conditions. It returns ErrNotHosted when baton has no such
	// queue, a *Refused when the queue refuses.
	SendToQueue(tx appconfig.Tx, queueArn string, conditions map[string]string, body string) error
	// Enqueue stores an outbox job of kind in tx.
	Enqueue(tx appconfig.Tx, kind, key string, payload []byte) error
}

// Outbox kinds of external deliveries.
const (
	KindHTTP = "extension.http" // an ON_* event to an HTTP function
	KindSQS  = "extension.sqs"  // an ON_* event to Amazon SQS
)

// Job is the outbox payload of an external delivery.
type Job struct {
	URI          string `json:"uri"`
	Body         string `json:"body"`
	Env          string `json:"env"`
	Number       int    `json:"n"`
	InvocationID string `json:"invocation"`
}

// dispatch delivers an ON_* message to uri inside tx and fills inv's error
// when the target cannot take it. Only internal errors are returned.
func (s *Service) dispatch(tx appconfig.Tx, uri string, cond map[string]string, body []byte,
	d *appconfig.Deployment, inv *appconfig.ActionInvocation) error {
	kind, err := s.targetKind(uri)
	if err != nil {
		inv.ErrorCode, inv.ErrorMessage = "InvalidTarget", err.Error()
		return nil
	}
	job := Job{URI: uri, Body: string(body), Env: d.EnvironmentID, Number: d.DeploymentNumber, InvocationID: inv.InvocationID}
	if kind == TargetQueue {
		err := s.deliver.SendToQueue(tx, uri, cond, string(body))
		var refused *Refused
		switch {
		case err == nil:
			return nil
		case errors.As(err, &refused):
			inv.ErrorCode, inv.ErrorMessage = refused.Code, refused.Message
			return nil
		case !errors.Is(err, ErrNotHosted):
			return fmt.Errorf("send to %s: %w", uri, err)
		case s.amazon == nil:
			inv.ErrorCode = "QueueDoesNotExist"
			inv.ErrorMessage = fmt.Sprintf("baton has no queue %s and no Amazon SQS is configured (extensionsSQS in the config file, or BATON_EXTENSIONS_SQS_REGION and _ENDPOINT)", uri)
			return nil
		}
		return s.enqueue(tx, KindSQS, job)
	}
	return s.enqueue(tx, KindHTTP, job)
}

func (s *Service) enqueue(tx appconfig.Tx, kind string, job Job) error {
	b, err := jsonMarshal(job)
	if err != nil {
		return err
	}
	return s.deliver.Enqueue(tx, kind, job.InvocationID, b)
}
