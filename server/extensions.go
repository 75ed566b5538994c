package server

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/sqs"
)

// buildExtensions returns the AppConfig extension module over store: queue
// messages go to baton's SQS in the deployment's transaction, external
// deliveries through the outbox, HTTP functions through the webhook guard.
func (s *Server) buildExtensions(store appconfig.Store) (*extension.Service, error) {
	guard, err := netguard.New(s.cfg.AllowWebhookTargets)
	if err != nil {
		return nil, err
	}
	client := &http.Client{
		Transport: &http.Transport{DialContext: guard.DialContext, Proxy: nil, MaxIdleConnsPerHost: 64,
			IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	opts := extension.Options{Deliverer: extDeliverer{s}, Client: client, PlainHTTP: guard.Listed, Clock: s.clock, Log: s.log,
		ARNs: s.awsARNs()}
	amz := s.cfg.ExtensionsSQS
	envOr := func(v *string, name string) {
		if *v == "" {
			*v = os.Getenv(name)
		}
	}
	envOr(&amz.Region, "BATON_EXTENSIONS_SQS_REGION")
	envOr(&amz.Endpoint, "BATON_EXTENSIONS_SQS_ENDPOINT")
	envOr(&amz.AccessKey, "BATON_EXTENSIONS_SQS_ACCESS_KEY_ID")
	envOr(&amz.SecretKey, "BATON_EXTENSIONS_SQS_SECRET_ACCESS_KEY")
	if amz.Region != "" || amz.Endpoint != "" {
		if amz.Region == "" {
			amz.Region = s.cfg.AWSRegion
		}
		opts.Amazon = extension.NewAmazonSQS(amz)
		s.amazonSQS = opts.Amazon
	}
	ext := extension.New(store, opts)
	s.outbox.Handle(extension.KindHTTP, ext.HandleHTTP, ext.OnDead)
	s.outbox.Handle(extension.KindSQS, ext.HandleSQS, ext.OnDead)
	return ext, nil
}

// extDeliverer implements extension.Deliverer in the store's transactions.
type extDeliverer struct{ s *Server }

func (d extDeliverer) SendToQueue(tx appconfig.Tx, queueArn string, cond map[string]string, body string) error {
	t, ok := d.s.store.sqsTx(tx)
	if !ok {
		return fmt.Errorf("extensions: transaction is not the store's")
	}
	_, err := d.s.SQS.SendInTxAs(t, queueArn, sqs.ServiceAppConfig, cond, sqs.SendInput{Body: body})
	var se *sqs.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Code == sqs.CodeQueueDoesNotExist:
		return extension.ErrNotHosted
	case errors.As(err, &se) && se.Code != sqs.CodeInternal:
		return &extension.Refused{Code: se.Code, Message: se.Message}
	}
	return err
}

func (d extDeliverer) Enqueue(tx appconfig.Tx, kind, key string, payload []byte) error {
	return d.s.store.enqueue(tx, kind, key, payload)
}
