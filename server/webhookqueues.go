package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/webhook"
)

// webhookQueues implements webhook.QueueSender: baton's own queues in the
// event's transaction (as webhook.QueuePrincipal, under the queue's policy),
// other queues through the extension module's Amazon SQS sender.
type webhookQueues struct{ s *Server }

func (q webhookQueues) SendInTx(tx keptn.Tx, queueArn, body string, attrs map[string]string) error {
	t, ok := q.s.store.sqsOfKeptn(tx)
	if !ok {
		return fmt.Errorf("webhook queues: the Keptn transaction is not the store's")
	}
	return q.sendHosted(t, queueArn, body, attrs)
}

func (q webhookQueues) sendHosted(t sqs.Tx, queueArn, body string, attrs map[string]string) error {
	in := sqs.SendInput{Body: body, Attributes: map[string]sqs.MessageAttribute{}}
	for k, v := range attrs {
		in.Attributes[k] = sqs.MessageAttribute{DataType: "String", StringValue: &v}
	}
	if strings.HasSuffix(queueArn, ".fifo") {
		in.GroupID = attrs["shkeptncontext"]
		if in.GroupID == "" {
			in.GroupID = "baton"
		}
		sum := sha256.Sum256([]byte(body))
		in.DedupID = hex.EncodeToString(sum[:])
	}
	_, err := q.s.SQS.SendInTxAs(t, queueArn, webhook.QueuePrincipal, nil, in)
	var se *sqs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Code == sqs.CodeQueueDoesNotExist:
		return webhook.ErrQueueNotHosted
	case errors.As(err, &se) && se.Code != sqs.CodeInternal:
		return &webhook.QueueRefusal{Code: se.Code, Message: se.Message}
	}
	return err
}

func (q webhookQueues) Send(ctx context.Context, queueArn, body string, attrs map[string]string) error {
	err := q.s.store.sqs.Update(ctx, func(t sqs.Tx) error { return q.sendHosted(t, queueArn, body, attrs) })
	if !errors.Is(err, webhook.ErrQueueNotHosted) {
		return err
	}
	amz, ok := q.s.amazonSQS.(extension.AttributeSender)
	if !ok {
		return &webhook.QueueRefusal{Code: "QueueNotHosted",
			Message: "baton hosts no such queue and delivery to Amazon SQS is not configured (extensionsSQS)"}
	}
	return amz.SendWithAttributes(ctx, queueArn, body, attrs)
}
