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
// the next page, or "0" on the last page.
func (p page) next(n, total int) string {
	if p.Offset+n < total && n > 0 {
		return strconv.Itoa(p.Offset + n)
	}
	return "0"
}
