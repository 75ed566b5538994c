package webhook

import (
	"sync"

	"github.com/batonhq/baton/keptn"
)

// startedAhead is how many .started events made ahead the service keeps:
// each is taken, or dropped, by the transaction of its event within
// milliseconds; the bound only matters for transactions that failed
// before the hooks ran.
const startedAhead = 1024

// startedMemo holds the .started events made ahead for ingested task
// .triggered events (PrepareEvent), with their encodings, so that the
// store's single writer need not make and encode them. The transaction
// that stores the .triggered takes its .started, or drops it when no
// webhook that sends one matched.
type startedMemo struct {
	mu sync.Mutex
	m  map[*keptn.Event]madeStarted
}

// madeStarted is a .started made ahead for the event of id.
type madeStarted struct {
	id   string
	ev   *keptn.Event
	body []byte
}

// PrepareEvent implements keptn.EventPreparer: for a task's .triggered it
// makes the .started a webhook that sends one emits, before the store's
// writer (the event is complete: id, time, context and data are set).
func (s *Service) PrepareEvent(ev *keptn.Event) {
	t := keptn.ParseType(ev.Type)
	if t.Kind != keptn.KindTask || t.Phase != "triggered" {
		return
	}
	st, err := s.newStarted(ev, t)
	if err != nil {
		return // made again in the writer, which reports the error
	}
	body, err := keptn.EncodeEvent(st)
	if err != nil {
		return
	}
	s.started.mu.Lock()
	if s.started.m == nil || len(s.started.m) >= startedAhead {
		s.started.m = make(map[*keptn.Event]madeStarted)
	}
	s.started.m[ev] = madeStarted{id: ev.ID, ev: st, body: body}
	s.started.mu.Unlock()
}

// takeStarted returns the .started made ahead for ev, if any, and forgets
// it: a transaction run again makes its own.
func (s *Service) takeStarted(ev *keptn.Event) (madeStarted, bool) {
	s.started.mu.Lock()
	defer s.started.mu.Unlock()
	m, ok := s.started.m[ev]
	if ok {
		delete(s.started.m, ev)
	}
	return m, ok && m.id == ev.ID
}

// newStarted returns a .started about ev, a task's .triggered of type t.
func (s *Service) newStarted(ev *keptn.Event, t keptn.EventType) (*keptn.Event, error) {
	st, err := s.events.New(keptn.TaskType(t.Task, "started"), Source, ev.Shkeptncontext, ev.ID, commonData(ev))
	if err != nil {
		return nil, err
	}
	st.GitCommitID = ev.GitCommitID
	return st, nil
}
