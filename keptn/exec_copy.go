package keptn

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// DecodedCopy returns a deep copy of e that is exactly what DecodeExecution
// gives for e's JSON encoding (json.Marshal(e)) and e.Seq, without encoding
// and decoding: nil and empty maps and slices as the encoding leaves them,
// numbers in payloads as json.Number, times in UTC. It returns nil when it
// cannot tell without encoding: a string that is not valid UTF-8 (the
// encoding replaces its bad bytes), a time with a zone offset, a payload
// value of a type other than the JSON ones or an int. A store that keeps
// what it wrote for the next load caches the copy, not e, which its caller
// may go on changing.
//
// It must copy every field the encoding writes; TestDecodedCopy fills every
// field and compares with DecodeExecution, so a field added to the
// execution and not here fails it.
func DecodedCopy(e *SequenceExecution) *SequenceExecution {
	c := copier{ok: true}
	out := &SequenceExecution{
		ID:              c.str(e.ID),
		Sequence:        c.sequence(e.Sequence),
		Status:          c.status(e.Status),
		Scope:           c.scope(e.Scope),
		InputProperties: c.object(e.InputProperties),
		TriggeredAt:     c.time(e.TriggeredAt),
		Baton:           c.extra(e.Baton),
		Seq:             e.Seq,
	}
	if !c.ok {
		return nil
	}
	out.MarkStored()
	return out
}

// copier copies execution values as their JSON encoding decodes; ok turns
// false at the first value it cannot copy so.
type copier struct {
	ok    bool
	depth int // of the payload value being copied (maxPayloadDepth)
}

func (c *copier) str(s string) string {
	if !utf8.ValidString(s) {
		c.ok = false
	}
	return s
}

// time copies a time as its RFC 3339 encoding decodes: in UTC, without a
// monotonic reading. Another offset would decode in a location of its own.
func (c *copier) time(t time.Time) time.Time {
	if _, off := t.Zone(); off != 0 {
		c.ok = false
	}
	return t.UTC()
}

// optTime copies a time field tagged omitzero: a zero time is left out and
// decodes as the zero time.
func (c *copier) optTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return c.time(t)
}

func (c *copier) sequence(s Sequence) Sequence {
	out := Sequence{Name: c.str(s.Name)}
	if len(s.TriggeredOn) > 0 { // omitempty
		out.TriggeredOn = make([]Trigger, len(s.TriggeredOn))
		for i, tr := range s.TriggeredOn {
			out.TriggeredOn[i] = Trigger{Event: c.str(tr.Event), Selector: Selector{Match: c.strings(tr.Selector.Match, true)}}
		}
	}
	if s.Tasks != nil {
		out.Tasks = make([]Task, len(s.Tasks))
		for i, t := range s.Tasks {
			out.Tasks[i] = Task{Name: c.str(t.Name), TriggeredAfter: c.str(t.TriggeredAfter),
				FinishedTimeout: c.str(t.FinishedTimeout), Properties: c.optObject(t.Properties)}
		}
	}
	return out
}

func (c *copier) status(s SequenceStatus) SequenceStatus {
	out := SequenceStatus{State: c.str(s.State), StateBeforePause: c.str(s.StateBeforePause),
		CurrentTask: TaskState{Name: c.str(s.CurrentTask.Name), TriggeredID: c.str(s.CurrentTask.TriggeredID)}}
	if s.PreviousTasks != nil {
		out.PreviousTasks = make([]TaskResult, len(s.PreviousTasks))
		for i, r := range s.PreviousTasks {
			out.PreviousTasks[i] = TaskResult{Name: c.str(r.Name), TriggeredID: c.str(r.TriggeredID),
				Result: c.str(r.Result), Status: c.str(r.Status), Properties: c.object(r.Properties)}
		}
	}
	if evs := s.CurrentTask.Events; evs != nil {
		out.CurrentTask.Events = make([]TaskEvent, len(evs))
		for i, te := range evs {
			out.CurrentTask.Events[i] = TaskEvent{EventType: c.str(te.EventType), Source: c.str(te.Source),
				Result: c.str(te.Result), Status: c.str(te.Status), Time: c.str(te.Time), Properties: c.optObject(te.Properties)}
		}
	}
	return out
}

func (c *copier) scope(s SequenceScope) SequenceScope {
	return SequenceScope{Project: c.str(s.Project), Stage: c.str(s.Stage), Service: c.str(s.Service),
		Labels: c.strings(s.Labels, true), Result: c.str(s.Result), Status: c.str(s.Status), Message: c.str(s.Message),
		KeptnContext: c.str(s.KeptnContext), TriggeredID: c.str(s.TriggeredID), GitCommitID: c.str(s.GitCommitID),
		EventType: c.str(s.EventType)}
}

func (c *copier) extra(x ExecutionExtra) ExecutionExtra {
	out := ExecutionExtra{TaskIndex: x.TaskIndex, Started: x.Started, Finished: x.Finished, Image: c.str(x.Image)}
	out.DispatchDue, out.Deadline = c.optTime(x.DispatchDue), c.optTime(x.Deadline)
	out.TimerDue, out.EndedAt = c.optTime(x.TimerDue), c.optTime(x.EndedAt)
	out.LatestEvent = c.ref(x.LatestEvent)
	out.LatestFailedEvent = c.ref(x.LatestFailedEvent)
	if x.LatestEvaluation != nil {
		// A float64 encodes in the shortest form that decodes to itself.
		out.LatestEvaluation = &EvalBrief{Result: c.str(x.LatestEvaluation.Result), Score: x.LatestEvaluation.Score}
	}
	return out
}

func (c *copier) ref(r *SequenceEventRef) *SequenceEventRef {
	if r == nil {
		return nil
	}
	return &SequenceEventRef{Type: c.str(r.Type), ID: c.str(r.ID), Time: c.str(r.Time)}
}

// strings copies a map[string]string field; omitempty drops an empty one.
func (c *copier) strings(m map[string]string, omitempty bool) map[string]string {
	if m == nil || (omitempty && len(m) == 0) {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[c.str(k)] = c.str(v)
	}
	return out
}

// optObject copies a map[string]any field tagged omitempty.
func (c *copier) optObject(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return c.object(m)
}

// object copies a map[string]any field: null decodes as a nil map, {} as
// an empty one.
func (c *copier) object(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[c.str(k)] = c.value(v)
	}
	return out
}

// value copies a payload value as decoding into an interface with UseNumber
// gives it back.
func (c *copier) value(v any) any {
	switch x := v.(type) {
	case nil, bool:
		return x
	case string:
		return c.str(x)
	case json.Number:
		if x == "" {
			return json.Number("0") // as the encoding writes it
		}
		return x // any other invalid number fails the encoding itself
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case float64:
		raw, err := json.Marshal(x)
		if err != nil {
			c.ok = false
			return nil
		}
		return json.Number(raw)
	case map[string]any:
		if x == nil {
			return nil // null
		}
		if c.depth++; c.depth > maxPayloadDepth {
			c.ok = false
			return nil
		}
		out := c.object(x)
		c.depth--
		return out
	case []any:
		if x == nil {
			return nil // null
		}
		if c.depth++; c.depth > maxPayloadDepth {
			c.ok = false
			return nil
		}
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = c.value(el)
		}
		c.depth--
		return out
	}
	c.ok = false
	return nil
}
