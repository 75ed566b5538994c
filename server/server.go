// Package server assembles baton: it opens the store, builds the domain
// services, mounts every HTTP face on one mux and runs the background workers.
// cmd/baton and the end-to-end tests both start baton through it.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/appconfigapi"
	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/awsauth"
	"github.com/batonhq/baton/bridge"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/extension"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/keptnapi"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/oneplane"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/secretbox"
	"github.com/batonhq/baton/sequence"
	"github.com/batonhq/baton/sqs"
	"github.com/batonhq/baton/sqsapi"
	"github.com/batonhq/baton/webhook"
)

// Version is baton's version, set at build time.
var Version = "dev"

// Server is a running baton.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clock   clock.Clock
	ln      net.Listener
	http    *http.Server
	store   *storage
	box     *secretbox.Box
	outbox  *outbox.Worker
	metrics *metrics
	live    *bridge.Hub
	bridge  *bridge.Bridge
	checker *auth.Checker
	limiter *auth.Limiter

	// Keptn is the Keptn domain's event service (for tests and engines).
	Keptn *keptn.Events
	// Sequences is the sequence engine.
	Sequences *sequence.Engine
	// Evaluations is the quality-gate engine.
	Evaluations *lighthouse.Evaluator
	// AppConfig is the AppConfig domain service.
	AppConfig *appconfig.Service
	// SQS is the queue service.
	SQS *sqs.Service
	// AWSAuth verifies SigV4 signatures for every AWS face.
	AWSAuth *awsauth.Verifier
	sqsAPI  http.Handler // the SQS face behind SigV4 verification
	plane   *oneplane.Plane
	// amazonSQS delivers to queues baton does not host (nil: not configured).
	amazonSQS extension.AmazonSQS

	closeOnce sync.Once
	closeErr  error
}

// Open prepares a server: it validates cfg, opens the data directory, binds
// the listener (so bind errors come back here) and builds every component.
// Call Run to serve.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.logger()}
	s.clock = cfg.Clock
	if s.clock == nil {
		s.clock = clock.Real{}
		if cfg.TimeScale != 1 {
			s.clock = clock.NewScaled(cfg.TimeScale)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if cfg.Database == "" { // a replica's data directory holds no database
		if err := checkDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	s.metrics = newMetrics()
	s.live = bridge.NewHub()
	store, err := s.openStorage(ctx)
	if err != nil {
		return nil, err
	}
	s.store = store
	if store.clock != nil && cfg.Clock == nil && cfg.TimeScale == 1 {
		s.clock = store.clock // replicas agree on time: the database's
	}
	if err := s.build(ctx); err != nil {
		store.close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		store.close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.ln = ln
	return s, nil
}

func (s *Server) build(ctx context.Context) error {
	key, err := s.openKey(ctx, storeSettings{s.store})
	if err != nil {
		return err
	}
	// Replicas starting at once on an empty database each stored a canary
	// only if none was there: the one kept must open with this key too.
	if err := secretbox.Check(ctx, storeSettings{s.store}, s.box); err != nil {
		return fmt.Errorf("%w: start every replica with the same BATON_SECRET_KEY", err)
	}
	checker, err := s.adminToken(ctx)
	if err != nil {
		return err
	}
	s.checker, s.limiter = checker, auth.NewLimiter(1, 2)
	keptnStore := s.store.keptn
	s.Keptn = keptn.NewEvents(keptnStore, s.clock)
	s.Keptn.Strict = s.cfg.StrictEvents
	outboxStore := s.store.outbox
	s.outbox = outbox.NewWorker(outboxStore, s.clock, s.log, outbox.Config{})
	s.metrics.watchOutbox(outboxStore)
	s.Sequences = sequence.New(s.Keptn, s.clock, s.log, sequence.Config{
		StartedTimeout: s.cfg.TaskStartedTimeout, FinishedTimeout: s.cfg.TaskFinishedTimeout,
	})
	s.outbox.Handle(sequence.TimerKind, s.Sequences.TimerHandler(keptnStore), nil)
	projects := keptn.NewProjects(keptnStore, s.Keptn, s.clock, s.box)
	resources := keptn.NewResources(keptnStore, s.clock)
	secrets := keptn.NewSecrets(keptnStore, s.clock, s.box)
	guard, err := netguard.New(s.cfg.AllowWebhookTargets)
	if err != nil {
		return err
	}
	hooks := webhook.New(s.Keptn, keptnStore, secrets, webhook.Options{Guard: guard, Timeout: s.cfg.WebhookTimeout, Log: s.log,
		Queues: webhookQueues{s}, KeptnTx: s.store.keptnOfOutbox})
	s.Keptn.AddHook(hooks.QueueHook()) // before the engine: queue order is history order
	s.Keptn.AddHook(s.Sequences)
	s.Keptn.AddHook(hooks)
	s.outbox.Handle(webhook.Kind, hooks.Handle, nil)
	s.outbox.Handle(webhook.QueueKind, hooks.HandleQueue, nil)
	projects.AddDeleteHook(s.Sequences) // first: its .finished events may enqueue webhook calls
	projects.AddDeleteHook(hooks)
	resources.Validate(webhook.ConfigURI, webhook.ValidateResource)
	resources.Warn(webhook.ConfigURI, func(b []byte) []string { return webhook.Warnings(b, guard) })
	s.buildOnePlane(keptnStore, resources)
	s.buildQualityGates(keptnStore, resources, secrets, guard)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.requireToken(checker, s.metrics.handler()))
	(&keptnapi.API{
		Events: s.Keptn, Store: keptnStore, Auth: checker,
		Projects: projects, Resources: resources, Secrets: secrets,
		Uniform: keptn.NewUniform(keptnStore, s.clock), Deliveries: outboxStore, Limiter: s.limiter,
		Log: s.log, MaxBody: s.cfg.MaxBody, BatonVersion: Version, Sequences: s.Sequences,
		Logs:        keptn.NewLogs(keptnStore, s.clock),
		Evaluations: s.Evaluations,
	}).Register(mux)
	if err := s.buildAWS(ctx, mux, checker); err != nil {
		return err
	}
	if err := s.buildAppConfig(mux, checker, key, s.AWSAuth.Middleware(s.appConfigFace(appconfigapi.WriteAuthError(s.log)))); err != nil {
		return err
	}
	if err := s.buildBridge(mux, checker, key, keptnStore, outboxStore, s.store.sqs); err != nil {
		return err
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if sqsapi.IsQueueURLRequest(r) { // older SQS clients post to the queue URL
			s.sqsAPI.ServeHTTP(w, r)
			return
		}
		keptnapi.WriteError(w, s.log, r, keptn.Errorf(keptn.CodeNotFound, "no route for %s %s", r.Method, r.URL.Path))
	})
	s.http = &http.Server{
		Handler:           s.middleware(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.BodyReadTimeout, // the guard shortens it until a request is authenticated
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(s.Sequences.ReleaseWaiters)
	s.http.RegisterOnShutdown(s.bridge.Close)
	s.listenReplicas()
	return nil
}

// adminToken returns the checker for the admin token: the configured one, else
// the stored hash, else a new token printed once.
func (s *Server) adminToken(ctx context.Context) (*auth.Checker, error) {
	const key = "admin_token_sha256"
	if s.cfg.Token != "" {
		h := auth.Hash(s.cfg.Token)
		if err := s.store.setSetting(ctx, key, h); err != nil {
			return nil, err
		}
		return auth.NewChecker(h)
	}
	h, ok, err := s.store.setting(ctx, key)
	if err != nil {
		return nil, err
	}
	if ok {
		return auth.NewChecker(h)
	}
	token := auth.NewToken()
	h = auth.Hash(token)
	stored, err := s.store.initSetting(ctx, key, h)
	if err != nil {
		return nil, err
	}
	if stored != h { // another replica initialised the token first
		return auth.NewChecker(stored)
	}
	out := s.cfg.Out
	if out == nil {
		out = os.Stderr
	}
	fmt.Fprintf(out, "baton: generated an admin API token; it is shown only now, store it safely:\n\n    %s\n\n"+
		"baton: use it as the x-token header, or set BATON_TOKEN to choose your own.\n", token)
	return auth.NewChecker(h)
}

func (s *Server) requireToken(c *auth.Checker, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.Valid(auth.FromRequest(r)) {
			keptnapi.WriteError(w, s.log, r, keptn.Errorf(keptn.CodeUnauthorized, "unauthenticated or invalid credentials"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns http://<addr>.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Registry returns the Prometheus registry (for components to add metrics).
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// Run serves until ctx ends, then shuts down gracefully: in-flight requests
// finish and their commits complete, workers stop, the store closes.
func (s *Server) Run(ctx context.Context) error {
	if err := s.outbox.Start(ctx); err != nil {
		return err
	}
	s.log.Info("baton serving", "addr", s.Addr(), "data", s.cfg.DataDir, "version", Version)
	if msg := s.store.startChecks(); msg != "" {
		s.log.Info(msg)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	return s.Close()
}

// Close shuts the server down; it is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s.SQS.Close() // end long polls so that Shutdown need not wait for them
		err := s.http.Shutdown(ctx)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.outbox.Stop()
		// An outbox that keeps claims in memory (SQLite's) writes them
		// down, so that the runs the stop cut short count their attempt.
		if f, ok := s.store.outbox.(interface{ Flush(context.Context) error }); ok {
			if ferr := f.Flush(ctx); ferr != nil {
				s.log.Warn("outbox: writing claims at shutdown failed", "err", ferr)
			}
		}
		s.AppConfig.Wait()
		s.closeErr = errors.Join(err, s.store.close())
		s.log.Info("baton stopped")
	})
	return s.closeErr
}
