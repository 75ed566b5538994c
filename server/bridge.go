package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/bridge"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/sqlite"
)

// buildBridge mounts the web UI at /bridge/ and redirects GET / there. Its
// session key is derived from the secret key and the admin token, so a new
// token signs every Bridge session out.
func (s *Server) buildBridge(mux *http.ServeMux, checker *auth.Checker, secretKey []byte, ks *sqlite.KeptnStore,
	ob *sqlite.OutboxStore, projects *keptn.Projects, secrets *keptn.Secrets) error {
	digest := checker.Digest()
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte("baton bridge session key\x00"))
	m.Write(digest[:])
	b, err := bridge.New(bridge.Config{
		Events: s.Keptn, Store: ks, Overview: ks, Projects: projects, Secrets: secrets, Sequences: s.Sequences,
		Deliveries: ob, Lookup: ob, AppConfig: s.AppConfig, SQS: s.SQS, Queues: s.SQSStore,
		Auth: checker, Limiter: auth.NewLimiter(1, 3), SessionKey: m.Sum(nil), Live: s.live,
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
