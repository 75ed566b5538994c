package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// EventsConfig configures the event ingest benchmark.
type EventsConfig struct {
	Concurrency int
	Events      int           // total events (0: run for Duration)
	Duration    time.Duration // used when Events is 0
	DataBytes   int           // approximate size of each event's data
	// ClientIDs gives every event a CloudEvent id of its own, as Keptn's
	// go-utils clients do; baton then also records each (source, id) for
	// retried POSTs.
	ClientIDs bool
}

// Events posts Keptn events to POST /api/v1/event from Concurrency clients and
// reports durable ingest throughput and latency (every 200 is sent only after
// the event is committed).
func Events(ctx context.Context, t *Target, cfg EventsConfig) (Summary, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	client := Client(cfg.Concurrency)
	pad := strings.Repeat("x", max(cfg.DataBytes-100, 0))
	// Warm up connections and check the target answers.
	body := fmt.Sprintf(`{"type":"sh.keptn.event.bench.triggered","source":"baton-bench","data":{"project":"bench","stage":"dev","service":"svc","pad":%q}}`, pad)
	post, err := newEventPoster(client, t, []byte(body))
	if err != nil {
		return Summary{}, err
	}
	post.ids = cfg.ClientIDs
	if err := post.post(ctx); err != nil {
		return Summary{}, fmt.Errorf("target check: %w", err)
	}
	var rec Recorder
	elapsed := Run(ctx, cfg.Concurrency, cfg.Events, cfg.Duration, func(ctx context.Context, i int) {
		start := time.Now()
		if err := post.post(ctx); err != nil {
			rec.Fail(err)
			return
		}
		rec.Observe(time.Since(start))
	})
	return rec.Summarize("event ingest (POST /api/v1/event)", "events", 1, elapsed), nil
}

// eventPoster posts the same event body again and again, as an integration
// that sends one kind of event would: a new request each time through
// net/http's client, with the URL parsed and the header built once (not
// parsed, canonicalized and allocated per request; net/http only reads a
// request's header, so the requests share it), and a 200's reply read to
// its end and dropped rather than collected.
type eventPoster struct {
	client *http.Client
	t      *Target
	urls   map[string]*url.URL // by base URL (t.Base)
	body   []byte
	header http.Header // shared by every request, never changed
	ids    bool        // give each event a random CloudEvent id (body starts with '{')
}

func newEventPoster(c *http.Client, t *Target, body []byte) (*eventPoster, error) {
	p := &eventPoster{client: c, t: t, urls: map[string]*url.URL{}, body: body,
		header: http.Header{"Content-Type": {"application/json"}, "X-Token": {t.Token}}}
	for _, base := range append([]string{t.URL}, t.Replicas...) {
		u, err := url.Parse(base + "/api/v1/event")
		if err != nil {
			return nil, err
		}
		p.urls[base] = u
	}
	return p, nil
}

func (p *eventPoster) post(ctx context.Context) error {
	body := p.body
	if p.ids {
		body = append([]byte(`{"id":"`+uuid.NewString()+`",`), p.body[1:]...)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.URL = p.urls[p.t.Base()]
	req.Host = req.URL.Host
	req.Header = p.header
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func postEvent(ctx context.Context, c *http.Client, t *Target, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", t.Base()+"/api/v1/event", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-token", t.Token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	return nil
}
