package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/awsauth"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/sqsapi"
	"github.com/batonhq/baton/stsapi"
)

// AWS authentication modes (Config.AWSAuth).
const (
	AWSAuthSigV4 = "sigv4" // verify signatures against baton's access keys (default)
	AWSAuthAny   = "any"   // development: accept any credentials
)

// buildAWS sets up AWS request authentication, its access keys and their
// admin API, and the SQS face.
func (s *Server) buildAWS(ctx context.Context, mux *http.ServeMux, checker *auth.Checker) error {
	keys := &awsauth.Keys{Store: s.store.awsKeys, Box: s.box}
	s.AWSAuth = &awsauth.Verifier{Keys: keys, AllowAny: s.cfg.AWSAuth == AWSAuthAny}
	keys.OnDelete(s.AWSAuth.Forget)
	(&awsauth.AdminAPI{Keys: keys, Log: s.log}).Register(mux, func(h http.Handler) http.Handler {
		return s.requireToken(checker, h)
	})
	if s.cfg.AWSAccessKeyID != "" {
		stored, err := keys.Declare(ctx, s.cfg.AWSAccessKeyID, s.cfg.AWSSecretAccessKey)
		if err != nil {
			return fmt.Errorf("declare AWS access key: %w", err)
		}
		s.log.Info("AWS access key declared", "accessKeyId", s.cfg.AWSAccessKeyID, "stored", stored)
	}
	if s.AWSAuth.AllowAny {
		s.log.Warn("AWS AUTHENTICATION IS OFF: the SQS and AppConfig APIs accept ANY credentials (--aws-auth=any). Use this only for local development.")
	} else if err := s.firstAWSKey(ctx, keys); err != nil {
		return err
	}

	s.SQS = sqs.NewService(s.store.sqs, s.clock, sqs.Config{
		Account: s.cfg.AWSAccount, Region: s.cfg.AWSRegion, MaxMessageSize: s.cfg.SQSMaxMessageSize,
	})
	api := &sqsapi.API{Queues: s.SQS, Auth: s.AWSAuth.For("sqs"), Log: s.log, MaxBody: s.sqsMaxBody()}
	sts := &stsapi.API{Account: s.SQS.Account(), Auth: s.AWSAuth.For("sts"), Log: s.log, MaxBody: s.sqsMaxBody()}
	// SQS and STS share POST / behind one SigV4 middleware; STS requests
	// name their service, and each face requires its own in the credential
	// scope.
	dispatch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isSTS(r) {
			sts.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	onError := func(w http.ResponseWriter, r *http.Request, err error) {
		if isSTS(r) {
			sts.WriteAuthError(w, r, err)
			return
		}
		api.WriteAuthError(w, r, err)
	}
	s.sqsAPI = s.AWSAuth.Middleware(s.sqsFace(onError))(dispatch)
	mux.Handle("POST /{$}", s.sqsAPI)
	return nil
}

// firstAWSKey creates an access key on first start and prints it once, so
// the AWS tools work against a fresh baton without switching authentication
// off.
func (s *Server) firstAWSKey(ctx context.Context, keys *awsauth.Keys) error {
	existing, err := keys.List(ctx)
	if err != nil || len(existing) > 0 {
		return err
	}
	k, secret, err := keys.Create(ctx, "created on first start")
	if err != nil {
		return err
	}
	out := s.cfg.Out
	if out == nil {
		out = os.Stderr
	}
	fmt.Fprintf(out, "baton: generated AWS credentials for the SQS and AppConfig APIs; the secret is shown only now:\n\n"+
		"    AWS_ACCESS_KEY_ID=%s\n    AWS_SECRET_ACCESS_KEY=%s\n\n"+
		"baton: manage keys with \"baton aws-credentials create|list|delete\".\n", k.ID, secret)
	return nil
}

// isSTS reports whether a request on the shared endpoint is STS's. One that
// names an SQS operation is SQS's whatever its credential scope says, so
// that SQS answers a wrong scope with its own error.
func isSTS(r *http.Request) bool {
	return stsapi.IsSTSRequest(r) && !strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
}
