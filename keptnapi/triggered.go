package keptnapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/batonhq/baton/keptn"
)

// maxWait caps the long-poll of GET /event/triggered.
const maxWait = 30 * time.Second

// getOpenTriggered is GET /api/controlPlane/v1/event/triggered/{eventType}
// ?project&stage&service&eventID&pageSize&nextPageKey: the open .triggered
// events that are due, oldest first (remote integrations poll it).
//
// baton extension: wait=<duration> (at most 30s) holds the request until an
// event matches or the time is up, so pollers need no tight loop.
func (a *API) getOpenTriggered(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := parsePage(r, 20, 100)
	if err != nil {
		return err
	}
	f := keptn.OpenEventFilter{Type: r.PathValue("eventType"), Project: q.Get("project"), Stage: q.Get("stage"),
		Service: q.Get("service"), EventID: q.Get("eventID"), Offset: pg.Offset, Limit: pg.Size}
	var wait time.Duration
	if s := q.Get("wait"); s != "" {
		if wait, err = time.ParseDuration(s); err != nil || wait < 0 || wait > maxWait {
			return keptn.Errorf(keptn.CodeBadRequest, "wait must be a duration from 0s to %s", maxWait)
		}
	}
	deadline := time.Now().Add(wait)
	checked := f.Project == ""
	for {
		// The channel is taken before the query: no lost wake-up.
		changed, release := a.Sequences.OpenEventsChanged(f.Type)
		f.Now = a.Sequences.Now()
		events, total, err := a.openEvents(r, f, &checked)
		left := time.Until(deadline)
		if err != nil || len(events) > 0 || left <= 0 || a.Sequences.Released() {
			release()
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, map[string]any{
				"events": events, "nextPageKey": pg.next(len(events), total), "pageSize": pg.Size, "totalCount": total,
			})
		}
		a.Sequences.WaitOpen(r.Context(), changed, left)
		release()
		if err := r.Context().Err(); err != nil {
			return err
		}
	}
}

// openEvents returns a page of the open events f selects. Only an empty
// answer can hide an unknown project (open events go with their project),
// so the project is checked then, once (checked), and pollers that find
// work skip the check.
func (a *API) openEvents(r *http.Request, f keptn.OpenEventFilter, checked *bool) ([]json.RawMessage, int, error) {
	events, total, err := a.Store.OpenEvents(r.Context(), f)
	if err != nil || len(events) > 0 || *checked {
		return events, total, err
	}
	if ok, err := a.Store.ProjectKnown(r.Context(), f.Project); err != nil {
		return nil, 0, err
	} else if !ok {
		return nil, 0, keptn.Errorf(keptn.CodeNotFound, "project %s not found", f.Project)
	}
	*checked = true
	return events, total, nil
}
