package keptn

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/batonhq/baton/clock"
)

// SpecVersion is the Keptn spec version stamped on events baton creates.
const SpecVersion = "0.2.4"

// EventHook reacts to an event inside the transaction that stores it. Engines
// (sequences, webhooks) are hooks: whatever they change and emit commits
// atomically with the event that caused it.
type EventHook interface {
	OnEvent(ctx context.Context, tx Tx, ev *Event) error
}

// EncodedEventHook is an EventHook that wants the event's body as stored
// (its JSON encoding): stored events are encoded once, outside the store's
// writer where possible, and a hook that needs the encoding too takes that
// one rather than encoding the event again. OnEncodedEvent runs instead of
// OnEvent; it must not modify body.
type EncodedEventHook interface {
	EventHook
	OnEncodedEvent(ctx context.Context, tx Tx, ev *Event, body []byte) error
}

// EventPreparer is an EventHook that can do part of its work on an ingested
// event before the transaction that stores it, outside the store's single
// writer. PrepareEvent may only derive from ev what OnEvent will need (decode
// its data, say); it must not read the store, since its transaction has not
// begun, and OnEvent must give the same answer whether or not it ran.
type EventPreparer interface {
	PrepareEvent(ev *Event)
}

// Events ingests and stores Keptn events.
type Events struct {
	store Store
	clock clock.Clock
	hooks []EventHook
	// Strict turns on Keptn's optional event validation (EVENT_VALIDATION_ENABLED).
	Strict bool
}

// NewEvents returns an event service over store.
func NewEvents(store Store, clk clock.Clock) *Events {
	return &Events{store: store, clock: clk}
}

// AddHook registers h to run, in registration order, for every stored event.
// Call it before serving.
func (s *Events) AddHook(h EventHook) { s.hooks = append(s.hooks, h) }

// Ingest validates and normalizes an event received over the API as Keptn's
// api-service does (server-set id, time and contenttype; source and
// shkeptncontext kept or derived), stores it and runs the hooks, all in one
// transaction. It returns the keptnContext.
//
// A client-supplied id is the idempotency key, with the source (CloudEvents
// identify an event by both): an event whose (source, id) was posted before
// is not stored again, and the first one's keptnContext is returned, so a
// client may retry a POST whose reply it lost.
func (s *Events) Ingest(ctx context.Context, ev *Event) (string, error) {
	return s.ingest(ctx, ev, false)
}

// IngestDecoded is Ingest for an event that encoding/json decoded (the
// Keptn API's POST /api/v1/event): the decoder checked that its data and
// extensions are valid JSON, and Ingest does not check them again.
func (s *Events) IngestDecoded(ctx context.Context, ev *Event) (string, error) {
	return s.ingest(ctx, ev, true)
}

// ingest is Ingest; valid says the event's data and extensions are known to
// be valid JSON.
func (s *Events) ingest(ctx context.Context, ev *Event, valid bool) (string, error) {
	if err := s.validate(ev); err != nil {
		return "", err
	}
	clientID := strings.TrimSpace(ev.ID)
	ev.SpecVersion = "1.0"
	ev.ID = NewID()
	ev.Time = FormatTime(s.clock.Now())
	ev.ContentType = "application/json"
	ev.Source = NormalizeSource(ev.Source)
	ev.Shkeptncontext = ContextFor(ev.Shkeptncontext)
	kc := ev.Shkeptncontext
	// Work that depends on the event alone is done here, before the store's
	// writer: the stored body, the scope and what the hooks prepare.
	body, err := encodeEvent(ev, valid)
	if err != nil {
		return "", err
	}
	// The data is valid JSON (the encoding checked, if the decoder did
	// not), so its scope can be read in one pass instead of decoding it
	// again.
	ev.scopeBy(scopeOfValid)
	for _, h := range s.hooks {
		if p, ok := h.(EventPreparer); ok {
			p.PrepareEvent(ev)
		}
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if clientID != "" {
			prev, posted, err := tx.ClaimClientEvent(ev.Source, clientID, ev.Shkeptncontext)
			if err != nil || posted {
				kc = prev
				return err
			}
		}
		return s.appendBody(ctx, tx, ev, body)
	})
	if err != nil {
		return "", err
	}
	return kc, nil
}

// Append stores an event inside tx and runs the hooks on it. Engines use it to
// emit events; the event must be complete (id, time, context set).
func (s *Events) Append(ctx context.Context, tx Tx, ev *Event) error {
	body, err := encodeEvent(ev, ev.validByNew())
	if err != nil {
		return err
	}
	return s.appendBody(ctx, tx, ev, body)
}

// AppendEncoded is Append for an event whose body, json.Marshal(ev) (which
// encodeEvent returns), the
// caller encoded already: outside the store's writer, where that work does
// not hold up every other transaction.
func (s *Events) AppendEncoded(ctx context.Context, tx Tx, ev *Event, body []byte) error {
	return s.appendBody(ctx, tx, ev, body)
}

// appendBody is Append with the event's body already encoded.
func (s *Events) appendBody(ctx context.Context, tx Tx, ev *Event, body []byte) error {
	if err := tx.InsertEvent(ev, body); err != nil {
		return err
	}
	for _, h := range s.hooks {
		var err error
		if eh, ok := h.(EncodedEventHook); ok {
			err = eh.OnEncodedEvent(ctx, tx, ev, body)
		} else {
			err = h.OnEvent(ctx, tx, ev)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// New returns a complete event created by baton itself.
func (s *Events) New(typ, source, keptnContext, triggeredID string, data any) (*Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	ev := &Event{
		SpecVersion:        "1.0",
		ID:                 NewID(),
		Source:             source,
		Type:               typ,
		Time:               FormatTime(s.clock.Now()),
		ContentType:        "application/json",
		Data:               raw,
		Shkeptncontext:     keptnContext,
		TriggeredID:        triggeredID,
		ShkeptnSpecVersion: SpecVersion,
		marshalled:         raw,
	}
	if project, stage, service, ok := scopeOf(data); ok {
		// The store and the hooks ask every event for its scope; the engines
		// that emit events (inside the store's single writer) know it.
		ev.scope = &eventScope{data: raw, project: project, stage: stage, service: service}
	}
	return ev, nil
}

// scopeOf returns what Scope reads from the JSON encoding of data, when it
// can tell without decoding: data is an EventData, or a map whose project,
// stage and service are absent, nil or valid UTF-8 strings.
func scopeOf(data any) (project, stage, service string, ok bool) {
	switch d := data.(type) {
	case EventData:
		if utf8.ValidString(d.Project) && utf8.ValidString(d.Stage) && utf8.ValidString(d.Service) {
			return d.Project, d.Stage, d.Service, true
		}
	case map[string]any:
		var v [3]string
		for i, k := range [3]string{"project", "stage", "service"} {
			switch x := d[k].(type) {
			case nil:
			case string:
				if !utf8.ValidString(x) {
					return "", "", "", false
				}
				v[i] = x
			default:
				return "", "", "", false
			}
		}
		return v[0], v[1], v[2], true
	}
	return "", "", "", false
}

// Limits of the CloudEvent attributes of a posted event. Keptn sets none; a
// type holds two names of at most 200 characters (stage, sequence).
const (
	MaxEventType   = 512
	MaxEventSource = 1024
	MaxEventID     = 256
)

func (s *Events) validate(ev *Event) error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"type", ev.Type, MaxEventType}, {"source", ev.Source, MaxEventSource}, {"id", ev.ID, MaxEventID}} {
		if len(f.v) > f.max {
			return Errorf(CodeBadRequest, "%s is longer than %d characters", f.name, f.max)
		}
	}
	if strings.TrimSpace(ev.Type) == "" {
		return Errorf(CodeBadRequest, "type is required")
	}
	if strings.TrimSpace(ev.Source) == "" {
		return Errorf(CodeBadRequest, "source is required")
	}
	d := bytes.TrimSpace(ev.Data)
	if len(d) == 0 || bytes.Equal(d, []byte("null")) {
		return Errorf(CodeBadRequest, "data is required")
	}
	if d[0] != '{' {
		return Errorf(CodeBadRequest, "data must be a JSON object")
	}
	if s.Strict {
		return validateStrict(ev)
	}
	return nil
}

// validateStrict mirrors Keptn's optional event validation.
func validateStrict(ev *Event) error {
	data, err := ev.ParsedData()
	if err != nil {
		return Errorf(CodeBadRequest, "invalid event data: %v", err)
	}
	switch ev.Type {
	case "sh.keptn.log.error", "sh.keptn.events.problem":
		return nil
	case "sh.keptn.event.monitoring.configure":
		var m struct {
			Project string `json:"project"`
			Type    string `json:"type"`
		}
		_ = json.Unmarshal(ev.Data, &m)
		if m.Project == "" || m.Type == "" {
			return Errorf(CodeBadRequest, "monitoring.configure events need data.project and data.type")
		}
		return nil
	}
	t := ParseType(ev.Type)
	needScope := func() error {
		if data.Project == "" || data.Stage == "" || data.Service == "" {
			return Errorf(CodeBadRequest, "%s events need data.project, data.stage and data.service", ev.Type)
		}
		return nil
	}
	switch {
	case t.Kind == KindSequence && t.Phase == "triggered":
		if err := needScope(); err != nil {
			return err
		}
		if t.Stage != data.Stage {
			return Errorf(CodeBadRequest, "stage %q in the event type does not match data.stage %q", t.Stage, data.Stage)
		}
		return nil
	case t.Kind == KindTask && (t.Phase == "started" || t.Phase == "finished"):
		if err := needScope(); err != nil {
			return err
		}
		if ev.TriggeredID == "" {
			return Errorf(CodeBadRequest, "%s events need triggeredid", ev.Type)
		}
		if t.Phase == "finished" && (data.Result == "" || data.Status == "") {
			return Errorf(CodeBadRequest, "finished events need data.result and data.status")
		}
		return nil
	case t.Kind == KindTask && t.Phase == "invalidated":
		return nil
	}
	return Errorf(CodeBadRequest, "unknown event type")
}
