package keptnapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/batonhq/baton/keptn"
)

// registerLogs mounts shipyard-controller's integration log routes
// (internal/routing/logcontroller.go).
func (a *API) registerLogs(mux *http.ServeMux) {
	if a.Logs == nil {
		return
	}
	mux.Handle("GET "+cp+"/log", a.authed(a.getLogs))
	mux.Handle("POST "+cp+"/log", a.authed(a.createLogs))
	mux.Handle("DELETE "+cp+"/log", a.authed(a.deleteLogs))
}

// createLogs is POST /log with {"logs": [LogEntry...]}; it answers 200 {}.
func (a *API) createLogs(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Logs []keptn.LogEntry `json:"logs"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.Logs.Create(r.Context(), in.Logs); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// logsPage is go-utils' GetLogsResponse. Keptn never fills pageSize here
// (mongodb_log_repo.go), so it is always omitted.
type logsPage struct {
	intPage
	Logs []keptn.LogEntry `json:"logs"`
}

// getLogs is GET /log?integrationId&fromTime&beforeTime&pageSize&nextPageKey.
// Without pageSize Keptn returns every entry; baton returns at most
// keptn.MaxLogPage and a nextPageKey.
func (a *API) getLogs(w http.ResponseWriter, r *http.Request) error {
	f, err := logFilter(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	size, err := queryInt(q.Get("pageSize"), "pageSize")
	if err != nil {
		return err
	}
	if f.Offset, err = queryInt(q.Get("nextPageKey"), "nextPageKey"); err != nil {
		return err
	}
	f.Limit = size
	if size == 0 || size > keptn.MaxLogPage {
		f.Limit = keptn.MaxLogPage
	}
	list, total, err := a.Logs.Get(r.Context(), f)
	if err != nil {
		return err
	}
	pg := page{Offset: f.Offset, Size: f.Limit}
	return writeJSON(w, http.StatusOK, logsPage{intPage{NextPageKey: pg.nextInt(len(list), total), TotalCount: int64(total)}, list})
}

// deleteLogs is DELETE /log?integrationId&fromTime&beforeTime (deprecated
// and internal in Keptn; go-utils' LogHandler.DeleteLogs calls it).
func (a *API) deleteLogs(w http.ResponseWriter, r *http.Request) error {
	f, err := logFilter(r)
	if err != nil {
		return err
	}
	if err := a.Logs.Delete(r.Context(), f); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// logFilter reads integrationId, fromTime and beforeTime. A time that does
// not parse is a 404 "Unable to retrieve logs: ..." as in Keptn, whose log
// repository reports it as a retrieval failure (loghandler.go).
func logFilter(r *http.Request) (keptn.LogFilter, error) {
	q := r.URL.Query()
	f := keptn.LogFilter{IntegrationID: q.Get("integrationId")}
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"fromTime", &f.FromTime}, {"beforeTime", &f.BeforeTime}} {
		s := q.Get(b.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return f, keptn.Errorf(keptn.CodeNotFound,
				"Unable to retrieve logs: could not parse provided %s %s: use a time such as 2023-01-02T15:04:05.000Z", b.name, s)
		}
		*b.t = t
	}
	return f, nil
}

// queryInt parses an optional non-negative integer query parameter; bad
// values get Keptn's 400 "Invalid request format: ...".
func queryInt(s, name string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, keptn.Errorf(keptn.CodeBadRequest, "Invalid request format: %s must be a non-negative integer", name)
	}
	return n, nil
}
