package extension

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/outbox"
)

// AmazonSQS sends a message to a queue baton does not host.
type AmazonSQS interface {
	Send(ctx context.Context, queueArn, body string) error
}

// AmazonConfig configures delivery to Amazon SQS (or any SQS-compatible
// endpoint). Empty credentials use none (anonymous).
type AmazonConfig struct {
	Region    string `yaml:"region"`
	Endpoint  string `yaml:"endpoint"` // e.g. https://sqs.eu-west-1.amazonaws.com or another baton
	AccessKey string `yaml:"accessKeyId"`
	SecretKey string `yaml:"secretAccessKey"`
}

// NewAmazonSQS returns an aws-sdk-go-v2 SQS sender.
func NewAmazonSQS(cfg AmazonConfig) AmazonSQS {
	opts := sqs.Options{Region: cfg.Region, Credentials: aws.AnonymousCredentials{}}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.AccessKey != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")
	}
	return &amazonSQS{client: sqs.New(opts), cfg: cfg}
}

type amazonSQS struct {
	client *sqs.Client
	cfg    AmazonConfig
}

func (a *amazonSQS) Send(ctx context.Context, queueArn, body string) error {
	return a.SendWithAttributes(ctx, queueArn, body, nil)
}

// AttributeSender is an AmazonSQS that also sends String message
// attributes (NewAmazonSQS's senders are).
type AttributeSender interface {
	SendWithAttributes(ctx context.Context, queueArn, body string, attrs map[string]string) error
}

// SendWithAttributes implements AttributeSender.
func (a *amazonSQS) SendWithAttributes(ctx context.Context, queueArn, body string, attrs map[string]string) error {
	url, err := a.queueURL(queueArn)
	if err != nil {
		return err
	}
	in := &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body}
	if len(attrs) > 0 {
		in.MessageAttributes = map[string]types.MessageAttributeValue{}
		for k, v := range attrs {
			in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	_, err = a.client.SendMessage(ctx, in)
	return err
}

// queueURL turns arn:aws:sqs:<region>:<account>:<name> into the queue URL.
func (a *amazonSQS) queueURL(arn string) (string, error) {
	var region, account, name string
	if n, _ := fmt.Sscanf(replaceColons(arn), "arn aws sqs %s %s %s", &region, &account, &name); n != 3 {
		return "", fmt.Errorf("%q is not an SQS queue ARN", arn)
	}
	base := a.cfg.Endpoint
	if base == "" {
		base = "https://sqs." + region + ".amazonaws.com"
	}
	return base + "/" + account + "/" + name, nil
}

func replaceColons(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == ':' {
			b[i] = ' '
		}
	}
	return string(b)
}

// HandleSQS is the outbox handler of KindSQS.
func (s *Service) HandleSQS(ctx context.Context, it outbox.Item) outbox.Result {
	res := outbox.Result{Attempt: outbox.Attempt{Started: s.clock.Now()}}
	var j Job
	if err := json.Unmarshal(it.Payload, &j); err != nil || s.amazon == nil {
		res.Failed, res.Permanent, res.Error = true, true, fmt.Sprintf("cannot deliver: payload %v, Amazon SQS configured %v", err, s.amazon != nil)
		return res
	}
	if err := s.amazon.Send(ctx, j.URI, j.Body); err != nil {
		res.Failed, res.Error = true, err.Error()
	}
	res.Latency = s.clock.Now().Sub(res.Started)
	return res
}

// HandleHTTP is the outbox handler of KindHTTP: it POSTs the event to the
// function; 2xx is delivered, 408/429/5xx and network errors are retried,
// other statuses are permanent failures.
func (s *Service) HandleHTTP(ctx context.Context, it outbox.Item) outbox.Result {
	res := outbox.Result{Attempt: outbox.Attempt{Started: s.clock.Now()}}
	var j Job
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		res.Failed, res.Permanent, res.Error = true, true, "bad payload: "+err.Error()
		return res
	}
	status, out, err := s.post(ctx, j.URI, j.InvocationID, []byte(j.Body), CallTimeout)
	res.Status, res.Excerpt = status, excerpt(out)
	switch {
	case appconfig.ErrorCode(err) == appconfig.CodeBadRequest: // the target is not allowed
		res.Failed, res.Permanent, res.Error = true, true, err.Error()
	case err != nil:
		res.Failed, res.Error = true, err.Error()
	case status >= 200 && status <= 299:
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		res.Failed, res.Error = true, fmt.Sprintf("HTTP %d", status)
	default:
		res.Failed, res.Permanent, res.Error = true, true, fmt.Sprintf("HTTP %d", status)
	}
	res.Latency = s.clock.Now().Sub(res.Started)
	return res
}

// OnDead records a delivery parked dead in its deployment's invocation, so
// GetDeployment shows why the message did not arrive.
func (s *Service) OnDead(ctx context.Context, it outbox.Item, last outbox.Result) {
	var j Job
	if err := json.Unmarshal(it.Payload, &j); err != nil {
		return
	}
	err := s.store.Update(ctx, func(tx appconfig.Tx) error {
		d, err := tx.Deployment(ctx, j.Env, j.Number)
		if err != nil {
			return err
		}
		for i := range d.EventLog {
			for k := range d.EventLog[i].ActionInvocations {
				inv := &d.EventLog[i].ActionInvocations[k]
				if inv.InvocationID == j.InvocationID {
					inv.ErrorCode = "DeliveryFailed"
					inv.ErrorMessage = fmt.Sprintf("gave up after %d attempts: %s (outbox item %d; replay with baton replay)", it.Attempts, last.Error, it.ID)
					return tx.PutDeployment(d)
				}
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn("recording a dead extension delivery failed", "invocation", j.InvocationID, "err", err)
	}
}
