package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"net/http"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/appconfigapi"
	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqlite"
)

// buildAppConfig wires the AppConfig face: the domain service over the store,
// its routes (behind the AWS authenticator awsAuth) and the deployment timer
// handler on the outbox worker. key is the instance secret; the appconfigdata
// token key is derived from it so tokens survive restarts.
func (s *Server) buildAppConfig(mux *http.ServeMux, checker *auth.Checker, key []byte,
	awsAuth func(http.Handler) http.Handler) error {
	store := s.store.appConfig
	ext, err := s.buildExtensions(store)
	if err != nil {
		return err
	}
	s.AppConfig = appconfig.NewService(store, s.awsARNs(), s.clock, s.plane.Hooks(ext), s.log)
	s.plane.SetAppConfig(s.AppConfig)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("baton appconfigdata configuration tokens"))
	(&appconfigapi.API{
		Service: s.AppConfig, Data: appconfig.NewData(s.AppConfig, m.Sum(nil)),
		Extensions: ext, Auth: checker, Log: s.log, MaxBody: s.cfg.MaxBody,
	}).Register(mux, awsAuth)
	s.outbox.Handle(sqlite.StepKind, s.appConfigStep, nil)
	return nil
}

// awsARNs is the region and account of the AppConfig ARNs: the ones the
// SQS face uses too (--aws-region, --aws-account).
func (s *Server) awsARNs() appconfig.ARNs {
	return appconfig.ARNs{Region: s.cfg.AWSRegion, Account: s.cfg.AWSAccount}
}

// appConfigStep runs the deployment engine for a due timer.
func (s *Server) appConfigStep(ctx context.Context, it outbox.Item) outbox.Result {
	res := outbox.Result{Attempt: outbox.Attempt{Started: s.clock.Now()}}
	var t appconfig.StepTimer
	if err := json.Unmarshal(it.Payload, &t); err != nil {
		res.Failed, res.Permanent, res.Error = true, true, "bad timer payload: "+err.Error()
		return res
	}
	if err := s.AppConfig.Step(ctx, t); err != nil {
		res.Failed, res.Error = true, err.Error()
	}
	res.Latency = s.clock.Now().Sub(res.Started)
	return res
}
