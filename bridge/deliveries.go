package bridge

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/batonhq/baton/outbox"
)

type deliveriesView struct {
	State, Kind string
	Items       []outbox.Record
	Pager       pager
	Pending     int
	Running     int
	Dead        int
}

// deliveryList is GET /bridge/deliveries?state&kind: outbox items newest
// first (webhook calls, extension deliveries, external queue sends).
func (b *Bridge) deliveryList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	state := outbox.State(q.Get("state"))
	switch state {
	case "", outbox.StatePending, outbox.StateRunning, outbox.StateDone, outbox.StateDead:
	default:
		return userErrorf(http.StatusBadRequest, "The state filter must be pending, running, done or dead.")
	}
	pg := newPager(r, 50)
	items, total, err := b.cfg.Deliveries.List(r.Context(), outbox.Filter{Kind: q.Get("kind"), State: state, Offset: pg.Offset, Limit: pg.Size})
	if err != nil {
		return err
	}
	pg.Total = total
	depth, err := b.cfg.Deliveries.Depth(r.Context())
	if err != nil {
		return err
	}
	return b.renderView(w, r, http.StatusOK, "deliveries", &view{Title: "Deliveries", Section: "deliveries",
		Data: deliveriesView{State: string(state), Kind: q.Get("kind"), Items: items, Pager: pg,
			Pending: depth[outbox.StatePending], Running: depth[outbox.StateRunning], Dead: depth[outbox.StateDead]}})
}

// replay is POST /bridge/deliveries/{id}/replay: a dead item runs again.
func (b *Bridge) replay(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return userErrorf(http.StatusBadRequest, "A delivery id is a number.")
	}
	switch err := b.cfg.Deliveries.Replay(r.Context(), id); {
	case errors.Is(err, outbox.ErrNotDead):
		return userErrorf(http.StatusConflict, "Delivery %d is not dead (or does not exist); only dead deliveries can be replayed.", id)
	case err != nil:
		return err
	}
	back := "/bridge/deliveries"
	if ref := r.PostForm.Get("back"); safeNext(ref) == ref {
		back = ref
	}
	u, _ := url.Parse(back)
	q := u.Query()
	q.Set("done", "replayed")
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}
