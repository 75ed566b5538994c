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
	for {
		changed := b.cfg.Live.Changed()
		html, status := b.renderLive(r, page)
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
