package promsli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/batonhq/baton/clock"
	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/outbox"
)

// Name is the SLI provider name projects configure (keptn configure
// monitoring prometheus).
const Name = "prometheus"

// SLI resource URIs: Keptn's prometheus-service read prometheus/sli.yaml;
// a plain sli.yaml is read too, and prometheus/sli.yaml wins at a level.
const (
	SLIURI      = "prometheus/sli.yaml"
	PlainSLIURI = "sli.yaml"
)

// Kind is the outbox kind of one SLI retrieval.
const Kind = "promsli"

// Source is the source of the events the provider emits, as Keptn's.
const Source = "prometheus-service"

// SecretScope is where prometheus-credentials-<project> is looked up
// first; the default scope is tried next.
const SecretScope = "keptn-prometheus-service"

// Provider answers get-sli.triggered for Prometheus.
type Provider struct {
	events  *keptn.Events
	store   keptn.Store
	secrets *keptn.Secrets
	clock   clock.Clock
	log     *slog.Logger
	client  *http.Client
	timeout time.Duration
}

// Options configure the provider.
type Options struct {
	// Guard checks every address dialed (the webhooks' SSRF guard).
	Guard *netguard.Guard
	// Timeout bounds one query (default 30s).
	Timeout time.Duration
	Log     *slog.Logger
	Clock   clock.Clock
}

// New returns the provider. Register it with events.AddHook and Handle as
// the outbox handler of Kind.
func New(events *keptn.Events, store keptn.Store, secrets *keptn.Secrets, opts Options) *Provider {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	tr := &http.Transport{DialContext: opts.Guard.DialContext, Proxy: nil, MaxIdleConnsPerHost: 16,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Provider{events: events, store: store, secrets: secrets, clock: opts.Clock, log: opts.Log, client: client, timeout: opts.Timeout}
}

// OnEvent implements keptn.EventHook: a get-sli.triggered for Prometheus is
// answered with .started and queued.
func (p *Provider) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	if ev.Type != lighthouse.TypeGetSLITriggered {
		return nil
	}
	var d struct {
		keptn.EventData
		GetSLI struct {
			SLIProvider string `json:"sliProvider"`
		} `json:"get-sli"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.GetSLI.SLIProvider != Name {
		return nil
	}
	st, err := p.events.New(lighthouse.TypeGetSLIStarted, Source, ev.Shkeptncontext, ev.ID, keptn.EventData{
		Project: d.Project, Stage: d.Stage, Service: d.Service, Labels: d.Labels, Status: keptn.StatusSucceeded})
	if err != nil {
		return err
	}
	st.GitCommitID = ev.GitCommitID
	if err := p.events.Append(ctx, tx, st); err != nil {
		return err
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return tx.Enqueue(keptn.Job{Kind: Kind, Key: ev.ID, Payload: raw})
}

// Handle implements outbox.Handler: it retrieves the indicators and emits
// get-sli.finished. Prometheus being unreachable is retried; on the last
// attempt, and for errors retrying cannot fix, the .finished says errored.
func (p *Provider) Handle(ctx context.Context, it outbox.Item) outbox.Result {
	start := p.clock.Now()
	var ev keptn.Event
	if err := json.Unmarshal(it.Payload, &ev); err != nil {
		return outbox.Result{Failed: true, Permanent: true, Attempt: outbox.Attempt{Started: start, Error: "corrupt job: " + err.Error()}}
	}
	var d lighthouse.GetSLITriggeredData
	data, err := p.retrieve(ctx, &ev, &d)
	var te *transientError
	if errors.As(err, &te) && !it.Final {
		return outbox.Result{Failed: true, Attempt: outbox.Attempt{Started: start, Latency: p.clock.Now().Sub(start), Error: err.Error()}}
	}
	if err != nil {
		data = lighthouse.GetSLIFinishedData{EventData: scope(d.EventData), GetSLI: lighthouse.GetSLIFinished{Start: d.GetSLI.Start, End: d.GetSLI.End}}
		data.Status, data.Result, data.Message = keptn.StatusErrored, keptn.ResultFail, err.Error()
	}
	res := outbox.Result{Attempt: outbox.Attempt{Started: start, Latency: p.clock.Now().Sub(start)}}
	if ferr := p.finish(ctx, &ev, data); ferr != nil {
		res.Failed, res.Error = true, "emit get-sli.finished: "+ferr.Error()
	} else if err != nil {
		res.Error = err.Error() // answered errored; kept in the delivery record
	}
	return res
}

// retrieve queries every indicator. Indicators that fail carry their
// message; the result is pass when all succeed, warning when some fail and
// fail ("unable to retrieve metrics") when all fail, as in Keptn.
func (p *Provider) retrieve(ctx context.Context, ev *keptn.Event, d *lighthouse.GetSLITriggeredData) (lighthouse.GetSLIFinishedData, error) {
	var out lighthouse.GetSLIFinishedData
	if err := json.Unmarshal(ev.Data, d); err != nil {
		return out, fmt.Errorf("failed to decode get-sli.triggered event: %v", err)
	}
	out = lighthouse.GetSLIFinishedData{EventData: scope(d.EventData), GetSLI: lighthouse.GetSLIFinished{Start: d.GetSLI.Start, End: d.GetSLI.End}}
	from, err := lighthouse.ParseTime(d.GetSLI.Start)
	if err != nil {
		return out, fmt.Errorf("unable to parse start timestamp: %v", err)
	}
	to, err := lighthouse.ParseTime(d.GetSLI.End)
	if err != nil {
		return out, fmt.Errorf("unable to parse end timestamp: %v", err)
	}
	queries, err := p.queries(ctx, d.EventData)
	if err != nil {
		return out, err
	}
	tg, err := p.target(ctx, d.Project)
	if err != nil {
		return out, err
	}
	failed := 0
	for _, name := range d.GetSLI.Indicators {
		r := &lighthouse.SLIResult{Metric: name}
		out.GetSLI.IndicatorValues = append(out.GetSLI.IndicatorValues, r)
		q, ok := queries[name]
		if !ok {
			failed++
			r.Message = "unsupported SLI: no query for " + name + " in " + SLIURI
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, p.timeout)
		v, err := query(qctx, p.client, tg, substitute(q, *d, from, to), to)
		cancel()
		var te *transientError
		if errors.As(err, &te) {
			return out, err
		}
		if err != nil {
			failed++
			r.Message = err.Error()
			continue
		}
		r.Value, r.Success = v, true
	}
	out.Status, out.Result = keptn.StatusSucceeded, keptn.ResultPass
	switch {
	case failed > 0 && failed == len(out.GetSLI.IndicatorValues):
		out.Result, out.Message = keptn.ResultFail, "unable to retrieve metrics"
	case failed > 0:
		out.Result = keptn.ResultWarning
	}
	return out, nil
}

func scope(d keptn.EventData) keptn.EventData {
	return keptn.EventData{Project: d.Project, Stage: d.Stage, Service: d.Service, Labels: d.Labels}
}

// queries merges the indicators of the project's, the stage's and the
// service's SLI files; lower levels override.
func (p *Provider) queries(ctx context.Context, d keptn.EventData) (map[string]string, error) {
	out := map[string]string{}
	levels := []keptn.ResourceKey{{Project: d.Project}, {Project: d.Project, Stage: d.Stage}, {Project: d.Project, Stage: d.Stage, Service: d.Service}}
	for _, key := range levels {
		for _, uri := range []string{PlainSLIURI, SLIURI} {
			key.URI = uri
			res, err := p.store.Resource(ctx, key, "")
			if keptn.ErrorCode(err) == keptn.CodeNotFound {
				continue
			}
			if err != nil {
				return nil, &transientError{err}
			}
			f, err := lighthouse.ParseSLIFile(res.Content)
			if err != nil {
				return nil, fmt.Errorf("invalid %s of %s: %v", uri, where(key), err)
			}
			for k, v := range f.Indicators {
				out[k] = v
			}
		}
	}
	return out, nil
}

func where(k keptn.ResourceKey) string {
	switch {
	case k.Service != "":
		return "service " + k.Service + " in stage " + k.Stage
	case k.Stage != "":
		return "stage " + k.Stage
	}
	return "project " + k.Project
}

// target reads prometheus-credentials-<project>: keys url, user and
// password (Keptn's PROMETHEUS_URL, PROMETHEUS_USER and PROMETHEUS_PASSWORD
// work too).
func (p *Provider) target(ctx context.Context, project string) (target, error) {
	name := "prometheus-credentials-" + project
	vals, err := p.secrets.Values(ctx, SecretScope, name)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		vals, err = p.secrets.Values(ctx, keptn.DefaultScope, name)
	}
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return target{}, fmt.Errorf("failed to get Prometheus API URL: secret %s (scope %s) not found; create it with key url", name, SecretScope)
	}
	if err != nil {
		return target{}, &transientError{err}
	}
	pick := func(a, b string) string {
		if v := vals[a]; v != "" {
			return v
		}
		return vals[b]
	}
	tg := target{URL: pick("url", "PROMETHEUS_URL"), User: pick("user", "PROMETHEUS_USER"), Password: pick("password", "PROMETHEUS_PASSWORD")}
	if tg.URL == "" {
		return tg, fmt.Errorf("failed to get Prometheus API URL: secret %s has no key url", name)
	}
	return tg, nil
}

// finish appends get-sli.finished with an id derived from the request, so
// a retried job cannot answer twice.
func (p *Provider) finish(ctx context.Context, ev *keptn.Event, data lighthouse.GetSLIFinishedData) error {
	fin, err := p.events.New(lighthouse.TypeGetSLIFinished, Source, ev.Shkeptncontext, ev.ID, data)
	if err != nil {
		return err
	}
	fin.ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("baton:promsli:"+ev.ID+":finished")).String()
	fin.GitCommitID = ev.GitCommitID
	err = p.store.Update(ctx, func(tx keptn.Tx) error { return p.events.Append(ctx, tx, fin) })
	if keptn.ErrorCode(err) == keptn.CodeConflict {
		return nil
	}
	return err
}
