package keptnapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/outbox"
)

// registerDeliveries mounts baton's own view of outbox work: every webhook
// call and message delivery with its attempts, and replay of dead ones.
func (a *API) registerDeliveries(mux *http.ServeMux) {
	const base = "/api/baton/v1/deliveries"
	mux.Handle("GET "+base, a.authed(a.listDeliveries))
	mux.Handle("GET "+base+"/{id}", a.authed(a.getDelivery))
	mux.Handle("POST "+base+"/{id}/replay", a.authed(a.replayDelivery))
}

type attemptJSON struct {
	Time      time.Time `json:"time"`
	LatencyMS float64   `json:"latencyMs"`
	Status    int       `json:"status,omitempty"`
	Error     string    `json:"error,omitempty"`
	Excerpt   string    `json:"responseExcerpt,omitempty"`
}

type deliveryJSON struct {
	ID       int64        `json:"id"`
	Kind     string       `json:"kind"`
	Key      string       `json:"key"`
	State    outbox.State `json:"state"`
	Attempts int          `json:"attempts"`
	// MaxAttempts is baton's addition: attempts before the item goes dead
	// (the server runs its outbox with the default policy).
	MaxAttempts int           `json:"maxAttempts"`
	Due         time.Time     `json:"due"`
	LastError   string        `json:"lastError,omitempty"`
	Created     time.Time     `json:"created"`
	Updated     time.Time     `json:"updated"`
	History     []attemptJSON `json:"history,omitempty"`
}

func deliveryOf(r outbox.Record) deliveryJSON {
	d := deliveryJSON{ID: r.ID, Kind: r.Kind, Key: r.Key, State: r.State, Attempts: r.Attempts, MaxAttempts: outbox.DefaultMaxAttempts, Due: r.Due.UTC(),
		LastError: r.LastError, Created: r.Created.UTC(), Updated: r.Updated.UTC()}
	for _, h := range r.History {
		d.History = append(d.History, attemptJSON{Time: h.Started.UTC(), LatencyMS: float64(h.Latency.Microseconds()) / 1000,
			Status: h.Status, Error: h.Error, Excerpt: h.Excerpt})
	}
	return d
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	pg, err := parsePage(r, 20, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	state := outbox.State(q.Get("state"))
	switch state {
	case "", outbox.StatePending, outbox.StateRunning, outbox.StateDone, outbox.StateDead:
	default:
		return keptn.Errorf(keptn.CodeBadRequest, "state must be pending, running, done or dead")
	}
	list, total, err := a.Deliveries.List(r.Context(), outbox.Filter{Kind: q.Get("kind"), State: state, Offset: pg.Offset, Limit: pg.Size})
	if err != nil {
		return err
	}
	out := []deliveryJSON{}
	for _, d := range list {
		out = append(out, deliveryOf(d))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deliveries": out, "nextPageKey": pg.next(len(list), total), "pageSize": pg.Size, "totalCount": total})
}

func deliveryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, keptn.Errorf(keptn.CodeBadRequest, "delivery id must be a number")
	}
	return id, nil
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	rec, err := a.Deliveries.Get(r.Context(), id)
	if errors.Is(err, outbox.ErrNotFound) {
		return keptn.Errorf(keptn.CodeNotFound, "delivery %d not found", id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryOf(*rec))
}

func (a *API) replayDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := deliveryID(r)
	if err != nil {
		return err
	}
	switch err := a.Deliveries.Replay(r.Context(), id); {
	case errors.Is(err, outbox.ErrNotDead):
		if _, gerr := a.Deliveries.Get(r.Context(), id); errors.Is(gerr, outbox.ErrNotFound) {
			return keptn.Errorf(keptn.CodeNotFound, "delivery %d not found", id)
		}
		return keptn.Errorf(keptn.CodeConflict, "delivery %d is not dead; only dead deliveries can be replayed", id)
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": id, "state": outbox.StatePending})
}
