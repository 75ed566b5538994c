package bridge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Hub broadcasts "something committed" to the Bridge's live streams. Today
// the SQLite writer calls Notify after every group commit; with several
// replicas a LISTEN/NOTIFY listener calls it too. Notify never blocks.
type Hub struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewHub returns a hub.
func NewHub() *Hub { return &Hub{ch: make(chan struct{})} }

// Notify wakes every stream waiting on Changed.
func (h *Hub) Notify() {
	h.mu.Lock()
	close(h.ch)
	h.ch = make(chan struct{})
	h.mu.Unlock()
}

// Changed returns a channel closed by the next Notify.
func (h *Hub) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ch
}

// renderBudget caps the CPU one stream spends re-rendering under a stream
// of commits: renders draw on a budget of render time that refills at half
// a second per second up to half a second, so bursts render at once and a
// sustained flood costs at most half a core per open page.
type renderBudget struct {
	left float64 // seconds of render time available
	at   time.Time
}

const (
	budgetRate = 0.5 // seconds of render time per second
	budgetMax  = 0.5 // seconds
)

func (rb *renderBudget) refill(now time.Time) {
	if rb.at.IsZero() {
		rb.left = budgetMax
	} else {
		rb.left = min(budgetMax, rb.left+now.Sub(rb.at).Seconds()*budgetRate)
	}
	rb.at = now
}

// wait is how long to rest before the next render.
func (rb *renderBudget) wait(now time.Time) time.Duration {
	rb.refill(now)
	if rb.left >= 0 {
		return 0
	}
	return time.Duration(-rb.left / budgetRate * float64(time.Second))
}

func (rb *renderBudget) spend(start time.Time, took time.Duration) {
	rb.refill(start)
	rb.left -= took.Seconds()
}

// rest waits d (if positive) unless the client leaves or the Bridge closes;
// it reports whether the stream goes on.
func (b *Bridge) rest(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-b.closed:
	}
	return false
}

// liveHeader marks an internal request for a page's live region only.
const liveHeader = "X-Bridge-Live"

// live is GET /bridge/live?path=<page>&v=<digest>: a Server-Sent Events
// stream of the page's live region. After each commit it renders the region
// again and sends it only when it changed, so a page hears about the commits
// that concern it and no others. Notifications that arrive while it renders
// fold into one.
func (b *Bridge) live(w http.ResponseWriter, r *http.Request) error {
	page, err := livePage(r.URL.Query().Get("path"))
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil
	}
	last := r.URL.Query().Get("v")
	budget := renderBudget{}
	for {
		changed := b.cfg.Live.Changed()
		if !b.rest(r, budget.wait(time.Now())) {
			return nil
		}
		start := time.Now()
		html, status := b.renderLive(r, page)
		budget.spend(start, time.Since(start))
		if status != http.StatusOK {
			writeEvent(w, "gone", []byte(page.Path))
			return rc.Flush()
		}
		if sum := digest(html); sum != last {
			last = sum
			writeEvent(w, "live", html)
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return nil
		case <-b.closed:
			return nil
		}
	}
}

// livePage parses the page a stream follows: a Bridge path, never a stream.
func livePage(p string) (*url.URL, error) {
	u, err := url.Parse(p)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, Prefix) ||
		strings.HasPrefix(u.Path, "/bridge/live") || strings.HasPrefix(u.Path, "/bridge/static") {
		return nil, userErrorf(http.StatusBadRequest, "path must be a Bridge page")
	}
	return u, nil
}

// renderLive runs the page's own GET handler in live mode into a buffer.
func (b *Bridge) renderLive(r *http.Request, page *url.URL) ([]byte, int) {
	req := r.Clone(r.Context())
	req.Method = http.MethodGet
	req.URL = page
	req.RequestURI = page.RequestURI()
	req.Header.Set(liveHeader, "1")
	bw := &bufferWriter{header: http.Header{}}
	b.mux.ServeHTTP(bw, req)
	if bw.status == 0 {
		bw.status = http.StatusOK
	}
	return bw.buf.Bytes(), bw.status
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:12])
}

// writeEvent writes one SSE event; every line of data gets its own field.
func writeEvent(w http.ResponseWriter, name string, data []byte) {
	var buf bytes.Buffer
	buf.WriteString("event: " + name + "\n")
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		buf.WriteString("data: ")
		buf.Write(bytes.TrimSuffix(line, []byte("\r")))
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')
	_, _ = w.Write(buf.Bytes())
}

// bufferWriter collects a rendered response.
type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *bufferWriter) Header() http.Header { return w.header }
func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *bufferWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(p)
}
