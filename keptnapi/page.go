package keptnapi

import (
	"net/http"
	"strconv"

	"github.com/batonhq/baton/keptn"
)

// page is Keptn's integer-offset pagination: pageSize and nextPageKey (the
// offset, as a string).
type page struct {
	Offset int
	Size   int
}

// parsePage reads pageSize (default def, at most max) and nextPageKey.
func parsePage(r *http.Request, def, max int) (page, error) {
	p := page{Size: def}
	q := r.URL.Query()
	if s := q.Get("pageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			return p, keptn.Errorf(keptn.CodeBadRequest, "pageSize must be a number from 1 to %d", max)
		}
		p.Size = n
	}
	if s := q.Get("nextPageKey"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, keptn.Errorf(keptn.CodeBadRequest, "nextPageKey must be a non-negative number")
		}
		p.Offset = n
	}
	return p, nil
}

// next returns the nextPageKey after returning n items of total: the offset of
// the next page, or "0" on the last page. Routes whose Keptn model has a
// string nextPageKey (projects, stages, services, resources) use it.
func (p page) next(n, total int) string {
	return strconv.FormatInt(p.nextInt(n, total), 10)
}

// nextInt is next as a number, for routes whose Keptn model has an int64
// nextPageKey (shipyard-controller's PaginationResult, go-utils'
// SequenceStates and GetLogsResponse); 0 on the last page.
func (p page) nextInt(n, total int) int64 {
	if p.Offset+n < total && n > 0 {
		return int64(p.Offset + n)
	}
	return 0
}

// intPage is shipyard-controller's PaginationResult (models/pagination.go):
// int64 fields, each omitted when zero, as Keptn 1.4.5 answers.
type intPage struct {
	NextPageKey int64 `json:"nextPageKey,omitempty"`
	PageSize    int64 `json:"pageSize,omitempty"`
	TotalCount  int64 `json:"totalCount,omitempty"`
}
