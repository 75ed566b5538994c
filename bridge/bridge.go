package bridge

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sequence"
	"github.com/batonhq/baton/sqs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is the path the Bridge is served under (Keptn's).
const Prefix = "/bridge/"

// Config holds what the Bridge reads and acts through. Nil services hide
// their pages.
type Config struct {
	// Events ingests the events the Bridge sends (triggers, approvals).
	Events *keptn.Events
	// Store reads projects, sequences, events, integrations and secrets.
	Store keptn.Store
	// Overview holds the grid and settings reads (nil: empty grid).
	Overview keptn.OverviewStore
	// Sequences pauses, resumes and aborts sequences.
	Sequences *sequence.Engine
	// Deliveries lists and replays outbox items; Lookup finds a task's
	// webhook calls (nil: none shown inline).
	Deliveries outbox.Store
	Lookup     outbox.Lookup
	// AppConfig backs the AppConfig pages (nil hides them).
	AppConfig *appconfig.Service
	// SQS and Queues back the queue pages (either nil hides them).
	SQS    *sqs.Service
	Queues sqs.Browser

	// Auth checks the token given at sign-in.
	Auth *auth.Checker
	// Limiter slows down repeated failed sign-ins per client (may be nil).
	Limiter *auth.Limiter
	// SessionKey signs session cookies (at least 32 bytes).
	SessionKey []byte
	// Revocations, if set, keeps signed-out sessions in the store, so that a
	// sign-out holds on every replica; else this process remembers them.
	Revocations Revocations
	// Live carries commit notifications to open pages.
	Live *Hub
	// Clock is the engines' clock (times on pages are relative to it).
	Clock clock.Clock
	Log   *slog.Logger
	// MaxBody caps form bodies (bytes).
	MaxBody int64
	// Version is shown in the footer.
	Version string
}

// Bridge is the web UI.
type Bridge struct {
	cfg      Config
	pages    map[string]*pageTemplate
	sessions *sessions
	mux      *http.ServeMux
	handler  http.Handler

	closeOnce sync.Once
	closed    chan struct{}
}

// New returns a Bridge; mount Handler at Prefix.
func New(cfg Config) (*Bridge, error) {
	if cfg.Auth == nil || cfg.Store == nil || cfg.Events == nil || cfg.Deliveries == nil || cfg.Live == nil {
		return nil, errors.New("bridge: Auth, Store, Events, Deliveries and Live are required")
	}
	if len(cfg.SessionKey) < 32 {
		return nil, errors.New("bridge: session key must have at least 32 bytes")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("bridge templates: %w", err)
	}
	b := &Bridge{cfg: cfg, pages: pages, sessions: newSessions(cfg.SessionKey, cfg.Clock, cfg.Revocations), closed: make(chan struct{})}
	b.routes()
	return b, nil
}

// Handler returns the Bridge's handler for everything under Prefix.
func (b *Bridge) Handler() http.Handler { return b.handler }

// Close ends open live streams (call it when the server shuts down, so a
// graceful shutdown need not wait for them).
func (b *Bridge) Close() { b.closeOnce.Do(func() { close(b.closed) }) }

// handler is a page handler that returns an error for the adapter to render.
type handler func(w http.ResponseWriter, r *http.Request) error

func (b *Bridge) routes() {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /bridge/static/", http.StripPrefix("/bridge/static/", staticHandler(static)))
	mux.Handle("GET /bridge/login", b.adapt(b.loginPage))
	mux.Handle("POST /bridge/login", b.adapt(b.login))
	b.authed(mux, "POST /bridge/logout", b.logout)
	b.authed(mux, "GET /bridge/live", b.live)
	b.authed(mux, "GET /bridge/{$}", b.projectList)
	b.routeKeptn(mux)
	b.authed(mux, "GET /bridge/deliveries", b.deliveryList)
	b.authed(mux, "POST /bridge/deliveries/{id}/replay", b.replay)
	if b.cfg.AppConfig != nil {
		b.routeAppConfig(mux)
	}
	if b.cfg.SQS != nil && b.cfg.Queues != nil {
		b.routeQueues(mux)
	}
	b.authed(mux, "/bridge/", func(w http.ResponseWriter, r *http.Request) error {
		return userErrorf(http.StatusNotFound, "There is no page at %s.", r.URL.Path)
	})
	b.mux = mux
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.renderError(w, r, userErrorf(http.StatusForbidden, "This request came from another site and was refused. Use the Bridge's own buttons."))
	}))
	b.handler = cop.Handler(b.limitBody(mux))
}

func (b *Bridge) routeKeptn(mux *http.ServeMux) {
	const p = "/bridge/project/{project}"
	b.authed(mux, "GET "+p, b.environment)
	b.authed(mux, "POST "+p+"/trigger", b.trigger)
	b.authed(mux, "POST "+p+"/approval/{id}", b.approval)
	b.authed(mux, "GET "+p+"/sequences", b.sequenceList)
	b.authed(mux, "GET "+p+"/sequence/{kc}", b.sequenceDetail)
	b.authed(mux, "POST "+p+"/sequence/{kc}/control", b.control)
	b.authed(mux, "GET "+p+"/event/{id}", b.rawEvent)
	b.authed(mux, "GET "+p+"/settings", b.settings)
	b.authed(mux, "GET "+p+"/evaluations", b.evaluations)
	b.authed(mux, "GET /bridge/integrations", b.integrations)
	b.authed(mux, "GET /bridge/event/{id}", b.eventSequence)
}

func (b *Bridge) limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, b.cfg.MaxBody)
		}
		h.ServeHTTP(w, r)
	})
}

// authed mounts h behind the session check. A GET without a session goes to
// the sign-in page; anything else gets 401.
func (b *Bridge) authed(mux *http.ServeMux, pattern string, h handler) {
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !b.sessions.valid(r) {
			if r.Method == http.MethodGet && r.URL.Path != "/bridge/live" {
				http.Redirect(w, r, "/bridge/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			b.renderError(w, r, userErrorf(http.StatusUnauthorized, "Your session has ended. Sign in again."))
			return
		}
		b.adapt(h).ServeHTTP(w, r)
	}))
}

func (b *Bridge) adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		if err := h(w, r); err != nil {
			b.renderError(w, r, err)
		}
	})
}

// userError is an error whose message is meant for the person at the screen.
type userError struct {
	status int
	msg    string
}

func (e *userError) Error() string { return e.msg }

func userErrorf(status int, format string, args ...any) *userError {
	return &userError{status: status, msg: fmt.Sprintf(format, args...)}
}

var keptnStatus = map[string]int{
	keptn.CodeBadRequest: http.StatusBadRequest, keptn.CodeNotFound: http.StatusNotFound,
	keptn.CodeConflict: http.StatusConflict, keptn.CodeUnprocessable: http.StatusUnprocessableEntity,
	keptn.CodeTooLarge: http.StatusRequestEntityTooLarge, keptn.CodeTooManyRequests: http.StatusTooManyRequests,
}

// explain turns err into a status and words safe to show; errors the domain
// did not mean for users are logged and shown as "internal error".
func (b *Bridge) explain(r *http.Request, err error) (int, string) {
	var ue *userError
	var ke *keptn.Error
	var ae *appconfig.Error
	var se *sqs.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ue):
		return ue.status, ue.msg
	case errors.As(err, &ke) && keptnStatus[ke.Code] != 0:
		return keptnStatus[ke.Code], ke.Message
	case errors.As(err, &ae) && ae.Code != appconfig.CodeInternal:
		return awsStatus(ae.Code == appconfig.CodeNotFound), ae.Message
	case errors.As(err, &se) && se.Code != sqs.CodeInternal:
		return awsStatus(se.Code == sqs.CodeQueueDoesNotExist), se.Message
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The form is larger than %d bytes.", mbe.Limit)
	}
	b.cfg.Log.Error("bridge request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, "Something went wrong inside baton (internal error); the server log has the details."
}

func awsStatus(notFound bool) int {
	if notFound {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

func isLive(r *http.Request) bool { return r.Header.Get(liveHeader) != "" }

func urlQueryEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "%20", "?", "%3F").Replace(s)
}
