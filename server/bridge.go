package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/bridge"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sqs"
)

// onCommit observes every durable commit: metrics, and the Bridge's live
// pages (which re-render after commits). A store engine shared by replicas
// also calls s.live.Notify on the other replicas' commit notifications.
func (s *Server) onCommit(ops int, took time.Duration) {
	s.metrics.observeCommit(ops, took)
	s.live.Notify()
}

// buildBridge mounts the web UI at /bridge/ and redirects GET / there. Its
// session key is derived from the secret key and the admin token, so a new
// token signs every Bridge session out. The Bridge's extra reads are
// optional interfaces of the stores: a store without them hides that part.
func (s *Server) buildBridge(mux *http.ServeMux, checker *auth.Checker, secretKey []byte, ks keptn.Store,
	ob outbox.Store, queues any) error {
	digest := checker.Digest()
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte("baton bridge session key\x00"))
	m.Write(digest[:])
	overview, _ := ks.(keptn.OverviewStore)
	lookup, _ := ob.(outbox.Lookup)
	browser, _ := queues.(sqs.Browser)
	b, err := bridge.New(bridge.Config{
		Events: s.Keptn, Store: ks, Overview: overview, Sequences: s.Sequences,
		Deliveries: ob, Lookup: lookup, AppConfig: s.AppConfig, SQS: s.SQS, Queues: browser,
		Auth: checker, Limiter: auth.NewLimiter(1, 3), SessionKey: m.Sum(nil), Revocations: s.store.revocations, Live: s.live,
		Clock: s.clock, Log: s.log, MaxBody: s.cfg.MaxBody, Version: Version,
	})
	if err != nil {
		return err
	}
	s.bridge = b
	mux.Handle(bridge.Prefix, b.Handler())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, bridge.Prefix, http.StatusFound)
	})
	return nil
}
