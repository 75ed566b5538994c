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
	w := execWriter{b: make([]byte, 0, 1024), ok: true}
	w.execution(e)
	if !w.ok {
		return json.Marshal(e)
	}
	return w.b, nil
}

// execWriter appends an execution's encoding to b; ok turns false when a
// value needs json.Marshal's handling of the whole.
type execWriter struct {
	b  []byte
	ok bool
}

func (w *execWriter) raw(s string) { w.b = append(w.b, s...) }

// str writes s quoted as json.Marshal does.
func (w *execWriter) str(s string) {
	if PlainString(s) {
		w.b = append(w.b, '"')
		w.b = append(w.b, s...)
		w.b = append(w.b, '"')
		return
	}
	w.marshal(s)
}

// field writes a member: its name (with the comma before it unless first)
// and the string v.
func (w *execWriter) field(name, v string) {
	w.raw(name)
	w.str(v)
}

// optField is field for a member tagged omitempty.
func (w *execWriter) optField(name, v string) {
	if v != "" {
		w.field(name, v)
	}
}

func (w *execWriter) int(name string, v int) {
	w.raw(name)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

// marshal appends json.Marshal(v).
func (w *execWriter) marshal(v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		w.ok = false
		return
	}
	w.b = append(w.b, raw...)
}

// time writes t as time.Time's MarshalJSON does, when it can (a four-digit
// year, an offset under 24 hours); otherwise it leaves the execution to
// json.Marshal.
func (w *execWriter) time(name string, t time.Time) {
	w.raw(name)
	if y := t.Year(); y < 0 || y > 9999 {
		w.ok = false
		return
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		w.ok = false
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// optTime is time for a member tagged omitzero.
func (w *execWriter) optTime(name string, t time.Time) {
	if !t.IsZero() {
		w.time(name, t)
	}
}

func (w *execWriter) execution(e *SequenceExecution) {
	w.field(`{"_id":`, e.ID)
	w.raw(`,"sequence":`)
	w.sequence(e.Sequence)
	w.raw(`,"status":`)
	w.status(e.Status)
	w.raw(`,"scope":`)
	w.scope(e.Scope)
	w.raw(`,"inputProperties":`)
	w.object(e.InputProperties)
	w.time(`,"triggeredAt":`, e.TriggeredAt)
	w.raw(`,"baton":`)
	w.extra(e.Baton)
	w.raw("}")
}

func (w *execWriter) sequence(s Sequence) {
	w.field(`{"name":`, s.Name)
	if len(s.TriggeredOn) > 0 {
		w.raw(`,"triggeredOn":[`)
		for i, tr := range s.TriggeredOn {
			if i > 0 {
				w.raw(",")
			}
			w.field(`{"event":`, tr.Event)
			w.raw(`,"selector":{`)
			if len(tr.Selector.Match) > 0 {
				w.raw(`"match":`)
				w.strings(tr.Selector.Match)
			}
			w.raw("}}")
		}
		w.raw("]")
	}
	w.raw(`,"tasks":`)
	if s.Tasks == nil {
		w.raw("null}")
		return
	}
	w.raw("[")
	for i, t := range s.Tasks {
		if i > 0 {
			w.raw(",")
		}
		w.field(`{"name":`, t.Name)
		w.optField(`,"triggeredAfter":`, t.TriggeredAfter)
		if len(t.Properties) > 0 {
			w.raw(`,"properties":`)
			w.object(t.Properties)
		}
		w.optField(`,"finishedTimeout":`, t.FinishedTimeout)
		w.raw("}")
	}
	w.raw("]}")
}

func (w *execWriter) status(s SequenceStatus) {
	w.field(`{"state":`, s.State)
	w.optField(`,"stateBeforePause":`, s.StateBeforePause)
	w.raw(`,"previousTasks":`)
	if s.PreviousTasks == nil {
		w.raw("null")
	} else {
		w.raw("[")
		for i, r := range s.PreviousTasks {
			if i > 0 {
				w.raw(",")
			}
			w.field(`{"name":`, r.Name)
			w.field(`,"triggeredID":`, r.TriggeredID)
			w.field(`,"result":`, r.Result)
			w.field(`,"status":`, r.Status)
			w.raw(`,"properties":`)
			w.object(r.Properties)
			w.raw("}")
		}
		w.raw("]")
	}
	w.field(`,"currentTask":{"name":`, s.CurrentTask.Name)
	w.field(`,"triggeredID":`, s.CurrentTask.TriggeredID)
	w.raw(`,"events":`)
	if s.CurrentTask.Events == nil {
		w.raw("null}}")
		return
	}
	w.raw("[")
	for i, te := range s.CurrentTask.Events {
		if i > 0 {
			w.raw(",")
		}
		w.field(`{"eventType":`, te.EventType)
		w.field(`,"source":`, te.Source)
		w.optField(`,"result":`, te.Result)
		w.optField(`,"status":`, te.Status)
		w.field(`,"time":`, te.Time)
		if len(te.Properties) > 0 {
			w.raw(`,"properties":`)
			w.object(te.Properties)
		}
		w.raw("}")
	}
	w.raw("]}}")
}

func (w *execWriter) scope(s SequenceScope) {
	w.field(`{"project":`, s.Project)
	w.field(`,"stage":`, s.Stage)
	w.field(`,"service":`, s.Service)
	if len(s.Labels) > 0 {
		w.raw(`,"labels":`)
		w.strings(s.Labels)
	}
	w.optField(`,"result":`, s.Result)
	w.optField(`,"status":`, s.Status)
	w.optField(`,"message":`, s.Message)
	w.field(`,"keptnContext":`, s.KeptnContext)
	w.field(`,"triggeredId":`, s.TriggeredID)
	w.optField(`,"gitcommitid":`, s.GitCommitID)
	w.field(`,"eventType":`, s.EventType)
	w.raw("}")
}

func (w *execWriter) extra(x ExecutionExtra) {
	w.int(`{"taskIndex":`, x.TaskIndex)
	w.int(`,"started":`, x.Started)
	w.int(`,"finished":`, x.Finished)
	w.optTime(`,"dispatchDue":`, x.DispatchDue)
	w.optTime(`,"deadline":`, x.Deadline)
	w.optTime(`,"timerDue":`, x.TimerDue)
	w.optTime(`,"endedAt":`, x.EndedAt)
	w.optField(`,"image":`, x.Image)
	w.ref(`,"latestEvent":`, x.LatestEvent)
	w.ref(`,"latestFailedEvent":`, x.LatestFailedEvent)
	if ev := x.LatestEvaluation; ev != nil {
		w.field(`,"latestEvaluation":{"result":`, ev.Result)
		w.raw(`,"score":`)
		w.marshal(ev.Score)
		w.raw("}")
	}
	w.raw("}")
}

// ref writes a member tagged omitempty holding r.
func (w *execWriter) ref(name string, r *SequenceEventRef) {
	if r == nil {
		return
	}
	w.raw(name)
	w.field(`{"type":`, r.Type)
	w.field(`,"id":`, r.ID)
	w.field(`,"time":`, r.Time)
	w.raw("}")
}

// strings writes a map[string]string, keys sorted as json.Marshal sorts them.
func (w *execWriter) strings(m map[string]string) {
	if m == nil {
		w.raw("null")
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.raw("{")
	for i, k := range keys {
		if i > 0 {
			w.raw(",")
		}
		w.str(k)
		w.raw(":")
		w.str(m[k])
	}
	w.raw("}")
}

// object writes a map[string]any: null when nil, keys sorted.
func (w *execWriter) object(m map[string]any) {
	if m == nil {
		w.raw("null")
		return
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.raw("{")
	for i, k := range keys {
		if i > 0 {
			w.raw(",")
		}
		w.str(k)
		w.raw(":")
		w.value(m[k])
	}
	w.raw("}")
}

// value writes a payload value: the JSON kinds decoding gives directly,
// anything else (numbers among them) through json.Marshal.
func (w *execWriter) value(v any) {
	switch x := v.(type) {
	case nil:
		w.raw("null")
	case string:
		w.str(x)
	case bool:
		w.b = strconv.AppendBool(w.b, x)
	case map[string]any:
		w.object(x)
	case []any:
		if x == nil {
			w.raw("null")
			return
		}
		w.raw("[")
		for i, el := range x {
			if i > 0 {
				w.raw(",")
			}
			w.value(el)
		}
		w.raw("]")
	default:
		w.marshal(x)
	}
}
