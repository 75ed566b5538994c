package keptn

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DefaultSource is the source Keptn's API sets when an event's source is not a URI reference.
const DefaultSource = "https://github.com/keptn/keptn/api"

// TimeFormat is how event times are written: RFC 3339, UTC, milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Event is a CloudEvent 1.0 in structured JSON with Keptn's extensions at the
// top level (Keptn's KeptnContextExtendedCE).
type Event struct {
	SpecVersion        string          `json:"specversion"`
	ID                 string          `json:"id"`
	Source             string          `json:"source"`
	Type               string          `json:"type"`
	Time               string          `json:"time"`
	ContentType        string          `json:"contenttype,omitempty"`
	DataContentType    string          `json:"datacontenttype,omitempty"`
	Data               json.RawMessage `json:"data"`
	Shkeptncontext     string          `json:"shkeptncontext"`
	TriggeredID        string          `json:"triggeredid,omitempty"`
	GitCommitID        string          `json:"gitcommitid,omitempty"`
	ShkeptnSpecVersion string          `json:"shkeptnspecversion,omitempty"`
	ShkeptnVersion     string          `json:"shkeptnversion,omitempty"`
	Extensions         json.RawMessage `json:"extensions,omitempty"`

	// scope memoizes Scope: the store and every hook ask for it.
	scope *eventScope
	// decoded is data decoded ahead by PrepareDecodedData.
	decoded *eventDecoded
	// marshalled is the data as Events.New marshalled it: valid JSON, which
	// Append need not check again while Data is still that slice.
	marshalled []byte
}

// eventDecoded is a decoding of the Data it was read from.
type eventDecoded struct {
	data  []byte
	m     map[string]any
	taken bool
}

// eventScope is Scope's answer for the Data it was read from.
type eventScope struct {
	data                    []byte
	project, stage, service string
}

// EventData holds the fields common to every Keptn event's data.
type EventData struct {
	Project string            `json:"project,omitempty"`
	Stage   string            `json:"stage,omitempty"`
	Service string            `json:"service,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	Status  string            `json:"status,omitempty"`
	Result  string            `json:"result,omitempty"`
	Message string            `json:"message,omitempty"`
}

// Results and statuses of Keptn tasks and sequences.
const (
	ResultPass    = "pass"
	ResultWarning = "warning"
	ResultFail    = "fail"

	StatusSucceeded = "succeeded"
	StatusErrored   = "errored"
	StatusUnknown   = "unknown"
	StatusAborted   = "aborted"
)

// ParsedData decodes the common fields of the event's data. Fields of the wrong
// JSON type are reported as an error.
func (e *Event) ParsedData() (EventData, error) {
	var d EventData
	if len(e.Data) == 0 {
		return d, nil
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return d, fmt.Errorf("data: %w", err)
	}
	return d, nil
}

// Scope is the project, stage and service an event is about, read leniently:
// fields that are missing or not strings are empty.
func (e *Event) Scope() (project, stage, service string) {
	return e.scopeBy(scopeOfData)
}

// scopeBy is Scope, remembered for the event's data, with read reading it
// when the event does not remember it yet.
func (e *Event) scopeBy(read func(data []byte) (project, stage, service string)) (project, stage, service string) {
	if m := e.scope; m != nil && sameBytes(m.data, e.Data) {
		return m.project, m.stage, m.service
	}
	project, stage, service = read(e.Data)
	e.scope = &eventScope{data: e.Data, project: project, stage: stage, service: service}
	return project, stage, service
}

// scopeOfData reads Scope's answer from data with json.Unmarshal.
func scopeOfData(data []byte) (project, stage, service string) {
	var d struct {
		Project any `json:"project"`
		Stage   any `json:"stage"`
		Service any `json:"service"`
	}
	_ = json.Unmarshal(data, &d)
	str := func(v any) string { s, _ := v.(string); return s }
	return str(d.Project), str(d.Stage), str(d.Service)
}

// DecodedData returns the event's data decoded as a JSON object, numbers as
// json.Number (an empty map when data is not an object). The caller owns the
// map: one decoded ahead by PrepareDecodedData is handed out once, and later
// calls decode again.
func (e *Event) DecodedData() map[string]any {
	// taken lives in the shared memo, so a copy of the event cannot hand the
	// same map out a second time.
	if d := e.decoded; d != nil && !d.taken && sameBytes(d.data, e.Data) {
		d.taken = true
		return d.m
	}
	return decodeObject(e.Data)
}

// PrepareDecodedData decodes the event's data for the next DecodedData, so
// that work can be done before the event enters a store's single writer.
func (e *Event) PrepareDecodedData() {
	e.decoded = &eventDecoded{data: e.Data, m: decodeObject(e.Data)}
}

// validByNew reports whether the event's JSON members (data, extensions) are
// known valid: data is still what Events.New marshalled, and there are no
// extensions.
func (e *Event) validByNew() bool {
	return len(e.Extensions) == 0 && e.Data != nil && sameBytes(e.marshalled, e.Data)
}

// sameBytes reports whether a and b are the same slice (not merely equal
// bytes): a memo stays valid only while Data was not replaced.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func decodeObject(raw []byte) map[string]any {
	out := map[string]any{}
	if len(raw) == 0 {
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return out
	}
	return m
}

// Time returns the event time as time.Time (zero when unparsable).
func (e *Event) When() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.Time)
	if err != nil {
		return time.Time{}
	}
	return t
}

// FormatTime formats t as event times are written.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// NewID returns a new event id: a UUIDv7, so ids sort by creation time and
// index inserts append instead of touching random B-tree pages.
func NewID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// DerivedID returns a stable event id for an event emitted once per name
// (a retry derives the same id, which the store refuses to store twice). It
// is a UUIDv8 (RFC 9562) laid out as a UUIDv7: the first 48 bits are at's
// Unix milliseconds, the rest a SHA-1 of name. Callers pass a time that is
// as stable as name (the triggering event's time), so that such ids, like
// NewID's, land where the index is being appended to instead of on a
// random page.
func DerivedID(at time.Time, name []byte) string {
	u := uuid.NewSHA1(uuid.NameSpaceURL, name)
	ms := uint64(max(at.UnixMilli(), 0))
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x80 // version 8; NewSHA1 set the variant
	return u.String()
}

// ClientEventKey is the key under which the stores keep a client's event
// for retried POSTs: the first 16 bytes of the SHA-256 of source, a zero
// byte and id. Both stores' migration 0015 compute it in SQL for the keys
// stored before it.
func ClientEventKey(source, id string) []byte {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return h.Sum(nil)[:16]
}

// ContextFor returns the keptnContext Keptn's API assigns for a given
// shkeptncontext: kept when it is a UUID, a deterministic UUID derived from it
// otherwise (so retries of the same request land in the same context), and a
// new random UUID when empty.
func ContextFor(given string) string {
	if given == "" {
		return NewID()
	}
	if _, err := uuid.Parse(given); err == nil {
		return given
	}
	var seed []byte
	if len(given) < 16 {
		seed = []byte(fmt.Sprintf("%-16v", given))
	} else {
		h := sha256.Sum256([]byte(given))
		seed = h[:]
	}
	id, err := uuid.NewRandomFromReader(bytes.NewReader(seed))
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// NormalizeSource returns src when it parses as a URI reference, else DefaultSource.
func NormalizeSource(src string) string {
	if src == "" {
		return DefaultSource
	}
	if _, err := url.Parse(src); err != nil {
		return DefaultSource
	}
	return src
}

// TypeKind classifies an event type per Keptn's grammar.
type TypeKind int

// Kinds of event types.
const (
	KindOther    TypeKind = iota
	KindTask              // sh.keptn.event.<task>.<triggered|started|finished|invalidated>
	KindStatus            // sh.keptn.event.<task>.status.changed
	KindSequence          // sh.keptn.event.<stage>.<sequence>.<triggered|finished|...>
)

// EventType is a parsed Keptn event type.
type EventType struct {
	Kind     TypeKind
	Task     string // for KindTask and KindStatus
	Stage    string // for KindSequence
	Sequence string // for KindSequence
	Phase    string // triggered, started, finished, invalidated, changed, ...
}

// ParseType parses a Keptn event type. Types outside sh.keptn.event.* are KindOther.
func ParseType(t string) EventType {
	const prefix = "sh.keptn.event."
	if !strings.HasPrefix(t, prefix) {
		return EventType{Kind: KindOther}
	}
	parts := strings.Split(t[len(prefix):], ".")
	for _, p := range parts {
		if p == "" {
			return EventType{Kind: KindOther}
		}
	}
	switch len(parts) {
	case 2:
		return EventType{Kind: KindTask, Task: parts[0], Phase: parts[1]}
	case 3:
		if parts[1] == "status" && parts[2] == "changed" {
			return EventType{Kind: KindStatus, Task: parts[0], Phase: "changed"}
		}
		return EventType{Kind: KindSequence, Stage: parts[0], Sequence: parts[1], Phase: parts[2]}
	}
	return EventType{Kind: KindOther}
}

// TaskType returns "sh.keptn.event.<task>.<phase>".
func TaskType(task, phase string) string { return "sh.keptn.event." + task + "." + phase }

// SequenceType returns "sh.keptn.event.<stage>.<sequence>.<phase>".
func SequenceType(stage, sequence, phase string) string {
	return "sh.keptn.event." + stage + "." + sequence + "." + phase
}
