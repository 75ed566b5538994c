package keptn

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// EncodeExecution returns json.Marshal(e), the stored body of an execution,
// byte for byte. Its structure it writes directly, where json.Marshal
// reflects over every field of every nested struct on the store's single
// writer; strings that are not plain (PlainString), numbers and values of
// other types it leaves to json.Marshal one by one. A time JSON cannot hold
// sends the whole execution to json.Marshal (and its error).
// TestEncodeExecution holds it to json.Marshal on executions with every field
// set, so a field added to the execution and not here fails it.
func EncodeExecution(e *SequenceExecution) ([]byte, error) {
	w := execWriter{ok: true}
	b := w.execution(make([]byte, 0, 1024), e)
	if !w.ok {
		return json.Marshal(e)
	}
	return b, nil
}

// execWriter's methods append an execution's encoding to the slice they are
// given and return it (passed along, not kept in the writer, so appending
// stores no pointer through one); ok turns false when a value needs
// json.Marshal's handling of the whole.
type execWriter struct {
	ok    bool
	depth int // of the payload value being written
}

// maxPayloadDepth bounds the nesting of payload values EncodeExecution and
// DecodedCopy follow; a deeper value (or one that contains itself) goes to
// json.Marshal, which detects cycles, or to decoding.
const maxPayloadDepth = 1000

// str appends s quoted as json.Marshal writes it.
func (w *execWriter) str(b []byte, s string) []byte {
	if PlainString(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return w.marshal(b, s)
}

// field writes a member: its name (with its punctuation) and the string v.
func (w *execWriter) field(b []byte, name, v string) []byte {
	b = append(b, name...)
	return w.str(b, v)
}

// optField is field for a member tagged omitempty.
func (w *execWriter) optField(b []byte, name, v string) []byte {
	if v != "" {
		b = w.field(b, name, v)
	}
	return b
}

func (w *execWriter) int(b []byte, name string, v int) []byte {
	b = append(b, name...)
	return strconv.AppendInt(b, int64(v), 10)
}

// marshal appends json.Marshal(v).
func (w *execWriter) marshal(b []byte, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		w.ok = false
		return b
	}
	return append(b, raw...)
}

// time writes t as time.Time's MarshalJSON does, when it can (a four-digit
// year, an offset under 24 hours); otherwise it leaves the execution to
// json.Marshal.
func (w *execWriter) time(b []byte, name string, t time.Time) []byte {
	b = append(b, name...)
	if y := t.Year(); y < 0 || y > 9999 {
		w.ok = false
		return b
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		w.ok = false
		return b
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// optTime is time for a member tagged omitzero.
func (w *execWriter) optTime(b []byte, name string, t time.Time) []byte {
	if !t.IsZero() {
		b = w.time(b, name, t)
	}
	return b
}

func (w *execWriter) execution(b []byte, e *SequenceExecution) []byte {
	b = w.field(b, `{"_id":`, e.ID)
	b = append(b, `,"sequence":`...)
	b = w.sequence(b, e.Sequence)
	b = append(b, `,"status":`...)
	b = w.status(b, e.Status)
	b = append(b, `,"scope":`...)
	b = w.scope(b, e.Scope)
	b = append(b, `,"inputProperties":`...)
	b = w.object(b, e.InputProperties)
	b = w.time(b, `,"triggeredAt":`, e.TriggeredAt)
	b = append(b, `,"baton":`...)
	b = w.extra(b, e.Baton)
	return append(b, '}')
}

func (w *execWriter) sequence(b []byte, s Sequence) []byte {
	b = w.field(b, `{"name":`, s.Name)
	if len(s.TriggeredOn) > 0 {
		b = append(b, `,"triggeredOn":`...)
		b = list(b, s.TriggeredOn, w.trigger)
	}
	b = append(b, `,"tasks":`...)
	b = list(b, s.Tasks, w.task)
	return append(b, '}')
}

func (w *execWriter) trigger(b []byte, tr Trigger) []byte {
	b = w.field(b, `{"event":`, tr.Event)
	b = append(b, `,"selector":{`...)
	if len(tr.Selector.Match) > 0 {
		b = append(b, `"match":`...)
		b = w.strings(b, tr.Selector.Match)
	}
	return append(b, "}}"...)
}

func (w *execWriter) task(b []byte, t Task) []byte {
	b = w.field(b, `{"name":`, t.Name)
	b = w.optField(b, `,"triggeredAfter":`, t.TriggeredAfter)
	if len(t.Properties) > 0 {
		b = append(b, `,"properties":`...)
		b = w.object(b, t.Properties)
	}
	b = w.optField(b, `,"finishedTimeout":`, t.FinishedTimeout)
	return append(b, '}')
}

func (w *execWriter) status(b []byte, s SequenceStatus) []byte {
	b = w.field(b, `{"state":`, s.State)
	b = w.optField(b, `,"stateBeforePause":`, s.StateBeforePause)
	b = append(b, `,"previousTasks":`...)
	b = list(b, s.PreviousTasks, w.taskResult)
	b = w.field(b, `,"currentTask":{"name":`, s.CurrentTask.Name)
	b = w.field(b, `,"triggeredID":`, s.CurrentTask.TriggeredID)
	b = append(b, `,"events":`...)
	b = list(b, s.CurrentTask.Events, w.taskEvent)
	return append(b, "}}"...)
}

func (w *execWriter) taskResult(b []byte, r TaskResult) []byte {
	b = w.field(b, `{"name":`, r.Name)
	b = w.field(b, `,"triggeredID":`, r.TriggeredID)
	b = w.field(b, `,"result":`, r.Result)
	b = w.field(b, `,"status":`, r.Status)
	b = append(b, `,"properties":`...)
	b = w.object(b, r.Properties)
	return append(b, '}')
}

func (w *execWriter) taskEvent(b []byte, te TaskEvent) []byte {
	b = w.field(b, `{"eventType":`, te.EventType)
	b = w.field(b, `,"source":`, te.Source)
	b = w.optField(b, `,"result":`, te.Result)
	b = w.optField(b, `,"status":`, te.Status)
	b = w.field(b, `,"time":`, te.Time)
	if len(te.Properties) > 0 {
		b = append(b, `,"properties":`...)
		b = w.object(b, te.Properties)
	}
	return append(b, '}')
}

func (w *execWriter) scope(b []byte, s SequenceScope) []byte {
	b = w.field(b, `{"project":`, s.Project)
	b = w.field(b, `,"stage":`, s.Stage)
	b = w.field(b, `,"service":`, s.Service)
	if len(s.Labels) > 0 {
		b = append(b, `,"labels":`...)
		b = w.strings(b, s.Labels)
	}
	b = w.optField(b, `,"result":`, s.Result)
	b = w.optField(b, `,"status":`, s.Status)
	b = w.optField(b, `,"message":`, s.Message)
	b = w.field(b, `,"keptnContext":`, s.KeptnContext)
	b = w.field(b, `,"triggeredId":`, s.TriggeredID)
	b = w.optField(b, `,"gitcommitid":`, s.GitCommitID)
	b = w.field(b, `,"eventType":`, s.EventType)
	return append(b, '}')
}

func (w *execWriter) extra(b []byte, x ExecutionExtra) []byte {
	b = w.int(b, `{"taskIndex":`, x.TaskIndex)
	b = w.int(b, `,"started":`, x.Started)
	b = w.int(b, `,"finished":`, x.Finished)
	b = w.optTime(b, `,"dispatchDue":`, x.DispatchDue)
	b = w.optTime(b, `,"deadline":`, x.Deadline)
	b = w.optTime(b, `,"timerDue":`, x.TimerDue)
	b = w.optTime(b, `,"endedAt":`, x.EndedAt)
	b = w.optField(b, `,"image":`, x.Image)
	b = w.ref(b, `,"latestEvent":`, x.LatestEvent)
	b = w.ref(b, `,"latestFailedEvent":`, x.LatestFailedEvent)
	if ev := x.LatestEvaluation; ev != nil {
		b = w.field(b, `,"latestEvaluation":{"result":`, ev.Result)
		b = append(b, `,"score":`...)
		b = w.marshal(b, ev.Score)
		b = append(b, '}')
	}
	return append(b, '}')
}

// ref writes a member tagged omitempty holding r.
func (w *execWriter) ref(b []byte, name string, r *SequenceEventRef) []byte {
	if r == nil {
		return b
	}
	b = append(b, name...)
	b = w.field(b, `{"type":`, r.Type)
	b = w.field(b, `,"id":`, r.ID)
	b = w.field(b, `,"time":`, r.Time)
	return append(b, '}')
}

// strings writes a map[string]string, keys sorted as json.Marshal sorts them.
func (w *execWriter) strings(b []byte, m map[string]string) []byte {
	return sortedMap(b, m, w.str, w.str)
}

// object writes a map[string]any: null when nil, keys sorted.
func (w *execWriter) object(b []byte, m map[string]any) []byte {
	return sortedMap(b, m, w.str, w.value)
}

// list writes xs as json.Marshal does: null when nil, each element written
// by elem.
func list[T any](b []byte, xs []T, elem func([]byte, T) []byte) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, ']')
}

// sortedMap writes m as json.Marshal does: null when nil, keys sorted, each
// key written by key and each value by value.
func sortedMap[V any](b []byte, m map[string]V, key func([]byte, string) []byte, value func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = key(b, k)
		b = append(b, ':')
		b = value(b, m[k])
	}
	return append(b, '}')
}

// value writes a payload value: the JSON kinds decoding gives directly,
// anything else (numbers among them) through json.Marshal.
func (w *execWriter) value(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		b = append(b, "null"...)
	case string:
		b = w.str(b, x)
	case bool:
		b = strconv.AppendBool(b, x)
	case map[string]any:
		if w.depth++; w.depth > maxPayloadDepth {
			w.ok = false
			return b
		}
		b = w.object(b, x)
		w.depth--
	case []any:
		if x == nil {
			return append(b, "null"...)
		}
		if w.depth++; w.depth > maxPayloadDepth {
			w.ok = false
			return b
		}
		b = list(b, x, w.value)
		w.depth--
	default:
		b = w.marshal(b, x)
	}
	return b
}
