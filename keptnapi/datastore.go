package keptnapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/keptn"
)

type eventsPage struct {
	Events      []json.RawMessage `json:"events"`
	NextPageKey string            `json:"nextPageKey,omitempty"`
	PageSize    int               `json:"pageSize"`
	TotalCount  int               `json:"totalCount"`
}

func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, keptn.Errorf(keptn.CodeBadRequest, "%s must be an RFC 3339 time such as 2023-01-02T15:04:05.000Z", name)
	}
	return t, nil
}

// getEvents is GET /api/mongodb-datastore/event.
func (a *API) getEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pg, err := parsePage(r, 20, 100)
	if err != nil {
		return err
	}
	f := keptn.EventFilter{
		Type: q.Get("type"), Project: q.Get("project"), Stage: q.Get("stage"), Service: q.Get("service"),
		Source: q.Get("source"), EventID: q.Get("eventID"), Offset: pg.Offset, Limit: pg.Size,
	}
	if kc := q.Get("keptnContext"); kc != "" {
		f.KeptnContext = strings.Split(kc, ",")
	}
	if f.FromTime, err = parseTime("fromTime", q.Get("fromTime")); err != nil {
		return err
	}
	if f.BeforeTime, err = parseTime("beforeTime", q.Get("beforeTime")); err != nil {
		return err
	}
	if s := q.Get("root"); s != "" {
		if f.Root, err = strconv.ParseBool(s); err != nil {
			return keptn.Errorf(keptn.CodeBadRequest, "root must be true or false")
		}
	}
	events, total, err := a.Store.Events(r.Context(), f)
	if err != nil {
		return err
	}
	resp := eventsPage{Events: events, PageSize: pg.Size, TotalCount: total}
	if next := pg.next(len(events), total); next != "0" {
		resp.NextPageKey = next
	}
	return writeJSON(w, http.StatusOK, resp)
}

// maxTypeEvents caps what the type endpoint returns.
const maxTypeEvents = 1000

// getEventsByType is GET /api/mongodb-datastore/event/type/{eventType}.
// filter is "key:v1,v2 AND key:v" over data.project, data.stage,
// data.service, shkeptncontext, triggeredid and source; it must name
// data.project or shkeptncontext.
func (a *API) getEventsByType(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := keptn.TypeFilter{Type: r.PathValue("eventType")}
	filter := strings.TrimSpace(q.Get("filter"))
	if filter == "" {
		return keptn.Errorf(keptn.CodeBadRequest, "filter is required and must contain data.project or shkeptncontext")
	}
	for _, clause := range strings.Split(filter, " AND ") {
		key, val, ok := strings.Cut(strings.TrimSpace(clause), ":")
		if !ok || val == "" {
			return keptn.Errorf(keptn.CodeBadRequest, "filter clause %q must be key:value", clause)
		}
		vals := strings.Split(val, ",")
		switch key {
		case "data.project":
			f.Project = vals
		case "data.stage":
			f.Stage = vals
		case "data.service":
			f.Service = vals
		case "shkeptncontext":
			f.KeptnContext = vals
		case "triggeredid":
			f.TriggeredID = vals
		case "source":
			f.Source = vals
		default:
			return keptn.Errorf(keptn.CodeBadRequest, "filter key %q is not supported; use data.project, data.stage, data.service, shkeptncontext, triggeredid or source", key)
		}
	}
	if len(f.Project) == 0 && len(f.KeptnContext) == 0 {
		return keptn.Errorf(keptn.CodeBadRequest, "filter must contain data.project or shkeptncontext")
	}
	var err error
	if f.FromTime, err = parseTime("fromTime", q.Get("fromTime")); err != nil {
		return err
	}
	if s := q.Get("limit"); s != "" {
		if f.Limit, err = strconv.Atoi(s); err != nil || f.Limit < 0 {
			return keptn.Errorf(keptn.CodeBadRequest, "limit must be a non-negative number")
		}
	}
	// No limit (or 0) means "as many as allowed": at most maxTypeEvents, so
	// one request cannot load a whole history into memory.
	if f.Limit == 0 || f.Limit > maxTypeEvents {
		f.Limit = maxTypeEvents
	}
	if s := q.Get("excludeInvalidated"); s != "" {
		if f.ExcludeInvalidated, err = strconv.ParseBool(s); err != nil {
			return keptn.Errorf(keptn.CodeBadRequest, "excludeInvalidated must be true or false")
		}
	}
	events, err := a.Store.EventsByType(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": events})
}
