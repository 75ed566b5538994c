// Package keptnapi serves baton's Keptn v1 compatible HTTP API: the gateway
// paths of api-service (/api/v1/...), shipyard-controller
// (/api/controlPlane/v1/...), resource-service (plus the configuration-service
// alias), mongodb-datastore and secret-service.
//
// Handlers decode, call the keptn domain, and encode. Errors are written in
// Keptn's {"code","message"} shape by one adapter.
package keptnapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/health"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/outbox"
	"github.com/batonhq/baton/sequence"
)

// KeptnVersion is the 1.x version reported by /api/v1/metadata, so that Keptn
// CLIs and integrations that compare versions are content.
const KeptnVersion = "1.4.5"

// API is the Keptn face.
type API struct {
	Events    *keptn.Events
	Projects  *keptn.Projects
	Resources *keptn.Resources
	Secrets   *keptn.Secrets
	Uniform   *keptn.Uniform
	// Deliveries shows and replays outbox work (webhook calls, messages).
	Deliveries outbox.Store
	Store      keptn.Store
	Auth       *auth.Checker
	Limiter    *auth.Limiter
	Log        *slog.Logger
	// MaxBody caps request bodies (bytes).
	MaxBody int64
	// BatonVersion is reported as bridgeversion.
	BatonVersion string
	// Sequences is the sequence engine (nil: no sequence routes).
	Sequences *sequence.Engine
	// Logs keeps integration error logs (nil: no /log routes).
	Logs *keptn.Logs
	// Evaluations is the quality-gate engine (nil: no evaluation routes).
	Evaluations *lighthouse.Evaluator
}

// handler is an HTTP handler that returns an error for the adapter to write.
type handler func(w http.ResponseWriter, r *http.Request) error

// Register mounts the Keptn routes on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth", a.handleAuth)
	mux.Handle("GET /api/v1/metadata", a.authed(a.metadata))
	mux.Handle("POST /api/v1/event", a.authed(a.postEvent))
	mux.Handle("GET /api/mongodb-datastore/event", a.authed(a.getEvents))
	mux.Handle("GET /api/mongodb-datastore/event/type/{eventType}", a.authed(a.getEventsByType))
	// Keptn's gateway allows only GET/HEAD/OPTIONS on the datastore.
	mux.Handle("/api/mongodb-datastore/", a.authed(notAllowed))
	a.registerProjects(mux)
	a.registerSequences(mux)
	a.registerUniform(mux)
	a.registerDeliveries(mux)
	a.registerLogs(mux)
	a.registerEvaluations(mux)
}

// authed wraps h with x-token authentication and the error adapter.
func (a *API) authed(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Auth.Valid(auth.FromRequest(r)) {
			WriteError(w, a.Log, r, keptn.Errorf(keptn.CodeUnauthorized, "unauthenticated or invalid credentials"))
			return
		}
		if a.MaxBody > 0 && r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, a.MaxBody)
		}
		if err := h(w, r); err != nil {
			WriteError(w, a.Log, r, err)
		}
	})
}

func notAllowed(w http.ResponseWriter, r *http.Request) error {
	return &statusError{status: http.StatusMethodNotAllowed, msg: "method not allowed"}
}

// statusError is an error for a status with no domain code (405, 415).
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

var codeStatus = map[string]int{
	keptn.CodeBadRequest:      http.StatusBadRequest,
	keptn.CodeUnauthorized:    http.StatusUnauthorized,
	keptn.CodeNotFound:        http.StatusNotFound,
	keptn.CodeConflict:        http.StatusConflict,
	keptn.CodeTooLarge:        http.StatusRequestEntityTooLarge,
	keptn.CodeUnprocessable:   http.StatusUnprocessableEntity,
	keptn.CodeTooManyRequests: http.StatusTooManyRequests,
	keptn.CodeInternal:        http.StatusInternalServerError,
}

// StatusClientClosedRequest is recorded for a request whose client went away
// before its answer was ready (nginx's 499): a long-poll the client gave up
// on is no error of the server's.
const StatusClientClosedRequest = 499

// WriteError writes err as Keptn's {"code","message"}. Errors that are not
// *keptn.Error are logged in full and shown as "internal error", except the
// cancellation of a request whose client went away, which is answered 499
// and not logged.
func WriteError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error"
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		status = StatusClientClosedRequest
		writeJSON(w, status, map[string]any{"code": status, "message": "client closed request"})
		return
	}
	var ke *keptn.Error
	var se *statusError
	var mbe *http.MaxBytesError
	if m, ok := health.Unavailable(err); ok {
		status, msg = http.StatusServiceUnavailable, m
		if log != nil {
			log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeJSON(w, status, map[string]any{"code": status, "message": msg})
		return
	}
	switch {
	case errors.As(err, &ke):
		status, msg = codeStatus[ke.Code], ke.Message
		if status == 0 {
			status = http.StatusInternalServerError
		}
	case errors.As(err, &se):
		status, msg = se.status, se.msg
	case errors.As(err, &mbe):
		status, msg = http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
	}
	if status == http.StatusInternalServerError && log != nil {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decodeJSON decodes one JSON value from r's body into v.
//
// Most bodies are small and well formed: it reads the body into a pooled
// buffer and unmarshals it, which spares a decoder and its buffer per
// request. A body it cannot read to its end or unmarshal goes through a
// json.Decoder over the same bytes (and the same read error after them), so
// that what is accepted and every error are as they were with the decoder
// alone.
func decodeJSON(r *http.Request, v any) error { return decodeBody(r, v, nil) }

// decodeEvent is decodeJSON for a posted event into ev, the zero Event: the
// shape clients send is read by keptn.DecodePlainEvent, in a third of
// json.Unmarshal's time, and anything else as decodeJSON reads it.
func decodeEvent(r *http.Request, ev *keptn.Event) error { return decodeBody(r, ev, ev) }

// decodeBody is decodeJSON; a non-nil ev, which is v, is first offered to
// keptn.DecodePlainEvent.
func decodeBody(r *http.Request, v any, ev *keptn.Event) error {
	bp := bodyBufs.Get().(*[]byte)
	defer putBodyBuf(bp)
	buf, rerr := readAll(r.Body, (*bp)[:0])
	*bp = buf
	if rerr == nil && (ev != nil && keptn.DecodePlainEvent(buf, ev) || json.Unmarshal(buf, v) == nil) {
		return nil
	}
	var rest io.Reader = bytes.NewReader(buf)
	if rerr != nil {
		rest = io.MultiReader(rest, errReader{rerr})
	}
	return decodeFrom(rest, v)
}

// bodyBufs pools decodeJSON's buffers; one that grew past maxPooledBody is
// dropped.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledBody = 64 << 10

func putBodyBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		bodyBufs.Put(bp)
	}
}

// readAll is io.ReadAll into b.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// errReader returns err from every read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// decodeFrom decodes one JSON value from r into v as the Keptn API always
// has: with a json.Decoder, refusing data after the value.
func decodeFrom(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return keptn.Errorf(keptn.CodeBadRequest, "malformed JSON body: %v", err)
	}
	if dec.More() {
		return keptn.Errorf(keptn.CodeBadRequest, "malformed JSON body: unexpected data after the JSON value")
	}
	return nil
}
