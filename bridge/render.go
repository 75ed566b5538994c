package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// pageTemplate is one page: the layout plus the page's "content" and,
// for pages that update live, its "live" region.
type pageTemplate struct {
	t    *template.Template
	live bool
}

func parseTemplates() (map[string]*pageTemplate, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		pages[name] = &pageTemplate{t: t, live: t.Lookup("live") != nil}
	}
	return pages, nil
}

// view is what every template gets.
type view struct {
	Title      string
	Section    string // highlighted navigation entry
	Project    string // project navigation, when inside one
	Data       any
	Now        time.Time
	Version    string
	Notice     string
	Signed     bool
	Live       template.HTML // the pre-rendered live region
	LiveDigest string
	LivePath   string
}

// notices are the fixed messages a redirect after a form may ask for.
var notices = map[string]string{
	"triggered": "Sequence triggered.", "approved": "Approved: the sequence continues.",
	"declined": "Declined: the approval task finished with result fail.", "replayed": "Delivery queued again.",
	"pause": "Sequence paused.", "resume": "Sequence resumed.", "abort": "Sequence aborted.",
	"sent": "Test message sent.", "purged": "Queue purged.", "moved": "Messages moved back to their source queue.",
}

// render writes page name with data; in live mode only its live region.
func (b *Bridge) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	return b.renderView(w, r, status, name, &view{Data: data})
}

func (b *Bridge) renderView(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	p, ok := b.pages[name]
	if !ok {
		return fmt.Errorf("bridge: no template %q", name)
	}
	v.Now = b.cfg.Clock.Now()
	v.Version = b.cfg.Version
	v.Signed = name != "login"
	v.Notice = notices[r.URL.Query().Get("done")]
	if p.live {
		var buf bytes.Buffer
		if err := p.t.ExecuteTemplate(&buf, "live", v); err != nil {
			return fmt.Errorf("render %s live: %w", name, err)
		}
		if isLive(r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, err := w.Write(buf.Bytes())
			return err
		}
		v.Live = template.HTML(buf.String()) // #nosec: produced by html/template
		v.LiveDigest = digest(buf.Bytes())
		v.LivePath = r.URL.RequestURI()
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (b *Bridge) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := b.explain(r, err)
	if isLive(r) {
		w.WriteHeader(status)
		return
	}
	if rerr := b.renderView(w, r, status, "error", &view{Title: http.StatusText(status), Data: msg}); rerr != nil {
		b.cfg.Log.Error("bridge: render error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

var funcs = template.FuncMap{
	"ago":  ago,
	"abs":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"dur":  humanDuration,
	"tone": tone,
	"pct":  func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) },
	"pretty": func(v any) string {
		if raw, ok := v.(json.RawMessage); ok {
			var buf bytes.Buffer
			if json.Indent(&buf, raw, "", "  ") == nil {
				return buf.String()
			}
			return string(raw)
		}
		out, _ := json.MarshalIndent(v, "", "  ")
		return string(out)
	},
	"pathesc":  url.PathEscape,
	"queryesc": url.QueryEscape,
	"excerpt": func(s string, n int) string {
		if len(s) <= n {
			return s
		}
		return s[:n] + "…"
	},
}

// ago says how long ago (or in how long) t is from now, in words.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + humanDuration(-d)
	}
	if d < time.Second {
		return "just now"
	}
	return humanDuration(d) + " ago"
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// tone names the colour of a state or result; the text label is always
// shown beside it.
func tone(s string) string {
	switch strings.ToLower(s) {
	case "pass", "succeeded", "finished", "complete", "done", "ok", "readyfordeployment":
		return "ok"
	case "fail", "failed", "errored", "aborted", "timedout", "dead", "rolled_back", "rolledback", "rollingback", "alarm":
		return "bad"
	case "warning", "paused", "waiting", "waitingforapproval", "retrying":
		return "warn"
	case "started", "triggered", "deploying", "baking", "validating", "running", "pending":
		return "run"
	}
	return "neutral"
}

// pager is the pagination of a list page.
type pager struct {
	Offset, Size, Total int
	base                url.Values
	path                string
}

func newPager(r *http.Request, size int) pager {
	off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	q := r.URL.Query()
	q.Del("offset")
	q.Del("done")
	return pager{Offset: max(off, 0), Size: size, base: q, path: r.URL.Path}
}

func (p pager) link(off int) string {
	q := url.Values{}
	for k, v := range p.base {
		q[k] = v
	}
	if off > 0 {
		q.Set("offset", strconv.Itoa(off))
	}
	if len(q) == 0 {
		return p.path
	}
	return p.path + "?" + q.Encode()
}

// Prev is the previous page's URL, or "".
func (p pager) Prev() string {
	if p.Offset == 0 {
		return ""
	}
	return p.link(max(p.Offset-p.Size, 0))
}

// Next is the next page's URL, or "".
func (p pager) Next() string {
	if p.Offset+p.Size >= p.Total {
		return ""
	}
	return p.link(p.Offset + p.Size)
}

// From and To are the 1-based range shown.
func (p pager) From() int { return min(p.Offset+1, p.Total) }

// To is the last row shown.
func (p pager) To() int { return min(p.Offset+p.Size, p.Total) }

func init() {
	funcs["dict"] = func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	funcs["list"] = func(s ...string) []string { return s }
	funcs["svcCount"] = serviceCount
	funcs["execTone"] = execTone
	funcs["deliveryState"] = deliveryState
	funcs["lastAttempt"] = lastAttempt
	funcs["invocationWords"] = invocationWords
	funcs["eventOf"] = eventOf
}
