package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Notification channels. A payload narrows what changed; "" comes from the
// slow poll and the listener's reconnect, not from a commit: anything may
// have changed.
const (
	// ChannelOutbox: outbox work was enqueued or became claimable.
	ChannelOutbox = "baton_outbox"
	// ChannelSQS: a message of the queue whose id is the payload may be
	// available.
	ChannelSQS = "baton_sqs"
	// ChannelSQS carries PayloadQueues when queues were created, changed or
	// deleted.
	PayloadQueues = "queues"
	// ChannelKeptn: events were stored (PayloadEvent) or .triggered events
	// opened (PayloadOpen).
	ChannelKeptn = "baton_keptn"
	PayloadEvent = "event"
	PayloadOpen  = "open"
	// ChannelAppConfig: AppConfig state changed.
	ChannelAppConfig = "baton_appconfig"
	// PayloadChanged is the payload of commits on ChannelOutbox and
	// ChannelAppConfig.
	PayloadChanged = "changed"
)

var channels = []string{ChannelOutbox, ChannelSQS, ChannelKeptn, ChannelAppConfig}

// throttle is the shortest gap between two NOTIFYs of one channel and
// payload; commits inside it share one trailing NOTIFY.
const throttle = 5 * time.Millisecond

type note struct{ channel, payload string }

// hub carries wake-ups between replicas: it publishes NOTIFYs after commits
// (throttled per channel and payload) and listens on one dedicated
// connection, handing every notification to the subscribers of its channel.
// Notifications are hints: on every (re)connect and every poll interval the
// subscribers are called with payload "" as well, so a notification lost while
// the connection was down only delays work.
type hub struct {
	pool *pgxpool.Pool
	cfg  *pgx.ConnConfig
	poll time.Duration

	mu        sync.Mutex
	subs      map[string][]func(payload string)
	listening chan struct{}  // closed once the first LISTEN is in place
	out       map[note]*bool // in flight; true when another commit asked meanwhile
}

func newHub(pool *pgxpool.Pool, cfg *pgx.ConnConfig, poll time.Duration) *hub {
	return &hub{pool: pool, cfg: cfg, poll: poll, subs: map[string][]func(string){}, out: map[note]*bool{},
		listening: make(chan struct{})}
}

// Listening returns a channel closed once this process first listens for
// other replicas' notifications.
func (db *DB) Listening() <-chan struct{} { return db.hub.listening }

// Subscribe calls f with the payload of every notification on channel, from
// any replica including this one. f must not block.
func (db *DB) Subscribe(channel string, f func(payload string)) {
	db.hub.mu.Lock()
	defer db.hub.mu.Unlock()
	db.hub.subs[channel] = append(db.hub.subs[channel], f)
}

func (h *hub) dispatch(channel, payload string) {
	h.mu.Lock()
	fs := h.subs[channel]
	h.mu.Unlock()
	for _, f := range fs {
		f(payload)
	}
}

func (h *hub) all() {
	for _, ch := range channels {
		h.dispatch(ch, "")
	}
}

// publish sends n now, or once more after the throttle gap when a NOTIFY of
// n is already in flight.
func (h *hub) publish(n note) {
	h.mu.Lock()
	if again, ok := h.out[n]; ok {
		*again = true
		h.mu.Unlock()
		return
	}
	again := new(bool)
	h.out[n] = again
	h.mu.Unlock()
	go func() {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, _ = h.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, n.channel, n.payload) // a hint: errors only delay
			cancel()
			time.Sleep(throttle)
			h.mu.Lock()
			if !*again {
				delete(h.out, n)
				h.mu.Unlock()
				return
			}
			*again = false
			h.mu.Unlock()
		}
	}()
}

// run listens until closed, reconnecting with a capped backoff.
func (h *hub) run(closed <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-closed; cancel() }()
	go h.poller(ctx)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if h.listen(ctx) {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen holds one LISTEN connection until it fails; it reports whether it
// got connected at all.
func (h *hub) listen(ctx context.Context) bool {
	conn, err := pgx.ConnectConfig(ctx, h.cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return false
		}
	}
	h.mu.Lock()
	select {
	case <-h.listening:
	default:
		close(h.listening)
	}
	h.mu.Unlock()
	h.all() // whatever happened while we were not listening
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		h.dispatch(n.Channel, n.Payload)
	}
}

// poller is the slow fallback behind the notifications.
func (h *hub) poller(ctx context.Context) {
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.all()
		}
	}
}
