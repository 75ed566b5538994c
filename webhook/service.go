package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/netguard"
	"github.com/batonhq/baton/outbox"
)

// Kind is the outbox kind of webhook calls.
const Kind = "webhook"

// Source is the source of events the webhook service emits.
const Source = "webhook-service"

// SecretScope is the secret scope webhooks read from.
const SecretScope = "keptn-webhook-service"

// maxResponse is how much of a response body is read and kept.
const maxResponse = 1 << 20

// Service runs webhooks.
type Service struct {
	events  *keptn.Events
	store   keptn.Store
	secrets *keptn.Secrets
	log     *slog.Logger
	// Requests go to a transport as they are. Like curl without -L,
	// redirects are answers, not followed, and there are no cookies and no
	// client-wide timeout: all that an http.Client would add, at the cost
	// of copying every request's headers in case of a redirect.
	transport         http.RoundTripper
	insecureTransport http.RoundTripper
	timeout           time.Duration
	queues            QueueSender
	keptnTx           func(outbox.Tx) (keptn.Tx, bool)

	mu    sync.Mutex
	cache map[string][]hook // a file's webhooks by resource revision (revisions never change)
	// last is what QueueHook matched for the event it saw last, so that
	// OnEvent, which runs on the same event later in the same transaction,
	// need not look the webhook files up again.
	last matchMemo
	// jobs holds the jobs just enqueued, so that Handle need not decode them.
	jobs jobCache
	// started holds .started events made ahead (PrepareEvent).
	started startedMemo
}

// matchMemo holds the webhooks matched for one event. The event (a pointer:
// each is appended once, its hooks back to back) identifies it; a
// transaction that runs again runs QueueHook again first.
type matchMemo struct {
	mu    sync.Mutex
	ev    *keptn.Event
	hooks []hook
}

// hook is a webhook of a parsed file with its encoding in job payloads,
// made once per file revision rather than once per event.
type hook struct {
	Webhook
	enc []byte // Webhook as JSON
}

// Options configure the service.
type Options struct {
	Guard   *netguard.Guard
	Timeout time.Duration // per request unless the request sets its own (default 30s)
	Log     *slog.Logger
	// Queues delivers to the queues webhooks list (nil: queues are refused
	// at delivery, visibly).
	Queues QueueSender
	// KeptnTx sees the transaction that records a call's outcome as a Keptn
	// one, so a task's .finished commits with the outcome, in one commit.
	// Without it .finished is appended in a transaction of its own first.
	KeptnTx func(outbox.Tx) (keptn.Tx, bool)
}

// New returns the webhook service. Register it as an event hook and as the
// outbox handler of Kind.
func New(events *keptn.Events, store keptn.Store, secrets *keptn.Secrets, opts Options) *Service {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	mk := func(insecure bool) *http.Transport {
		tr := &http.Transport{
			DialContext:         opts.Guard.DialContext,
			Proxy:               nil, // never through a proxy: the guard must see the real target
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
		if insecure {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // only with curl -k / insecure, as the user asked
		}
		return tr
	}
	return &Service{events: events, store: store, secrets: secrets, log: opts.Log, timeout: opts.Timeout,
		transport: mk(false), insecureTransport: mk(true), cache: map[string][]hook{}, queues: opts.Queues, keptnTx: opts.KeptnTx}
}

// ValidateResource checks a webhook.yaml before it is stored, so a broken
// configuration is refused at upload instead of failing tasks later.
func ValidateResource(content []byte) error {
	_, err := ParseConfig(content)
	return err
}

// job is the outbox payload of one webhook run, as Handle reads it (OnEvent
// writes it with jobPayload): {"event": ..., "webhook": ..., "task": ...}.
// The event is decoded once, into the map templates see.
type job struct {
	Event   map[string]any  `json:"event"`
	Raw     json.RawMessage `json:"webhook"` // decoded into Webhook by decodeJob
	Webhook Webhook         `json:"-"`
	Task    string          `json:"task,omitempty"` // set for <task>.triggered events
}

// decodedWebhooks caches webhooks decoded from jobs by their encoding: the
// jobs of one webhook carry the same bytes (jobPayload), and decoding them
// into a Webhook cost as much as decoding the event.
var decodedWebhooks struct {
	sync.Mutex
	m map[string]*Webhook
}

// decodeJob decodes a job payload.
func decodeJob(payload []byte) (job, error) {
	var j job
	if err := json.Unmarshal(payload, &j); err != nil {
		return j, err
	}
	decodedWebhooks.Lock()
	w, ok := decodedWebhooks.m[string(j.Raw)]
	decodedWebhooks.Unlock()
	if ok {
		j.Webhook = *w // read only: its slices are shared
		return j, nil
	}
	if len(j.Raw) > 0 {
		if err := json.Unmarshal(j.Raw, &j.Webhook); err != nil {
			return j, err
		}
	}
	decodedWebhooks.Lock()
	if decodedWebhooks.m == nil || len(decodedWebhooks.m) >= 1024 {
		decodedWebhooks.m = map[string]*Webhook{}
	}
	w = new(Webhook)
	*w = j.Webhook
	decodedWebhooks.m[string(j.Raw)] = w
	decodedWebhooks.Unlock()
	return j, nil
}

// job returns the item's job: the one OnEvent cached for its payload, else
// the payload decoded.
func (s *Service) job(it outbox.Item) (job, error) {
	if c := s.jobs.take(it.Key, it.Payload); c != nil {
		if j, ok := c.job(); ok {
			return j, nil
		}
	}
	return decodeJob(it.Payload)
}

// str is v if it is a string, else "".
func str(v any) string { s, _ := v.(string); return s }

// event is the part of the job's event that the events Handle emits need.
func (j *job) event() *keptn.Event {
	return &keptn.Event{ID: str(j.Event["id"]), Shkeptncontext: str(j.Event["shkeptncontext"]), GitCommitID: str(j.Event["gitcommitid"])}
}

// commonData is the data every event about the job's event carries: its
// project, stage, service and labels.
func (j *job) commonData() map[string]any {
	d, _ := j.Event["data"].(map[string]any)
	out := map[string]any{"project": str(d["project"]), "stage": str(d["stage"]), "service": str(d["service"])}
	if in, _ := d["labels"].(map[string]any); len(in) > 0 {
		labels := make(map[string]string, len(in))
		for k, v := range in {
			if s, ok := v.(string); ok {
				labels[k] = s
			}
		}
		out["labels"] = labels
	}
	return out
}

// hooks returns the webhooks of a webhook file.
func (s *Service) hooks(r keptn.LevelResource) ([]hook, error) {
	s.mu.Lock()
	hs, ok := s.cache[r.Revision]
	s.mu.Unlock()
	if ok {
		return hs, nil
	}
	hs, err := s.hooksOf(r.Content)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) > 4096 {
		clear(s.cache)
	}
	s.cache[r.Revision] = hs
	s.mu.Unlock()
	return hs, nil
}

// hooksOf parses a webhook file into its webhooks with their encodings.
func (s *Service) hooksOf(content []byte) ([]hook, error) {
	c, err := ParseConfig(content)
	if err != nil {
		return nil, err
	}
	hs := make([]hook, len(c.Webhooks))
	for i, w := range c.Webhooks {
		enc, err := json.Marshal(w)
		if err != nil {
			return nil, err
		}
		// The webhook as its encoding decodes, so that a job Handle takes
		// from the job cache holds what it would decode from the payload.
		var dec Webhook
		if err := json.Unmarshal(enc, &dec); err != nil {
			return nil, err
		}
		hs[i] = hook{Webhook: dec, enc: enc}
	}
	return hs, nil
}

// OnEvent implements keptn.EventHook: it finds the webhooks subscribed to ev
// (service level first, then stage, then project; the first file with a match
// wins, as in Keptn), emits .started for task events and enqueues the calls,
// all in the event's transaction. Queues are QueueHook's.
func (s *Service) OnEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event) error {
	return s.OnEncodedEvent(ctx, tx, ev, nil)
}

// OnEncodedEvent implements keptn.EncodedEventHook: it is OnEvent with the
// event's body as stored, which the jobs carry (nil: encode the event).
func (s *Service) OnEncodedEvent(ctx context.Context, tx keptn.Tx, ev *keptn.Event, body []byte) error {
	defer s.takeStarted(ev) // a .started made ahead that no webhook sent
	matched, err := s.rematched(tx, ev)
	if err != nil || len(matched) == 0 {
		return err
	}
	if body == nil {
		if body, err = json.Marshal(ev); err != nil {
			return err
		}
	}
	t := keptn.ParseType(ev.Type)
	for i, w := range matched {
		if len(w.Requests) == 0 {
			continue // a queue-only webhook does not take part in the task
		}
		task := ""
		if t.Kind == keptn.KindTask && t.Phase == "triggered" {
			task = t.Task
			if err := s.emitStarted(ctx, tx, ev, w.Webhook); err != nil {
				return err
			}
		}
		key := ev.ID + "-" + strconv.Itoa(i)
		payload := jobPayload(body, w.enc, task)
		if err := tx.Enqueue(keptn.Job{Kind: Kind, Key: key, Payload: payload}); err != nil {
			return err
		}
		s.jobs.put(key, payload, ev, &matched[i], task)
	}
	return nil
}

// jobPayload is the JSON of job{Event: event, Webhook: webhook, Task: task}
// from their encodings, written out rather than marshaled so that the event
// is not validated and compacted again (it was just encoded) and the
// webhook is not encoded once per event.
func jobPayload(event, webhook []byte, task string) []byte {
	b := make([]byte, 0, len(event)+len(webhook)+len(task)+40)
	b = append(b, `{"event":`...)
	b = append(b, event...)
	b = append(b, `,"webhook":`...)
	b = append(b, webhook...)
	if task != "" {
		q, _ := json.Marshal(task) // strconv quoting is not JSON's
		b = append(b, `,"task":`...)
		b = append(b, q...)
	}
	return append(b, '}')
}

// remember keeps what matched returned for ev for rematched.
func (s *Service) remember(ev *keptn.Event, hooks []hook) {
	s.last.mu.Lock()
	s.last.ev, s.last.hooks = ev, hooks
	s.last.mu.Unlock()
}

// rematched is matched, taken from the memo when QueueHook just matched the
// same event in the same transaction (nothing in between changes webhook
// files or subscriptions: the hooks run back to back on one event).
func (s *Service) rematched(tx keptn.Tx, ev *keptn.Event) ([]hook, error) {
	s.last.mu.Lock()
	hit := s.last.ev == ev
	hooks := s.last.hooks
	if hit {
		s.last.ev, s.last.hooks = nil, nil
	}
	s.last.mu.Unlock()
	if hit {
		return hooks, nil
	}
	return s.matched(tx, ev)
}

// matched returns the webhooks subscribed to ev: those of the first file,
// service level first, that has any.
func (s *Service) matched(tx keptn.Tx, ev *keptn.Event) ([]hook, error) {
	project, stage, service := ev.Scope()
	if project == "" || !strings.HasPrefix(ev.Type, "sh.keptn.") && !strings.HasPrefix(ev.Type, "sh.baton.") {
		return nil, nil
	}
	files, err := tx.LevelResources(project, stage, service, ConfigURI)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	for _, f := range files {
		hooks, err := s.hooks(f)
		if err != nil {
			s.log.Warn("ignoring invalid webhook config", "project", project, "stage", f.Stage, "service", f.Service, "err", err)
			continue
		}
		var matched []hook
		for _, w := range hooks {
			ok, err := s.subscribed(tx, w.Webhook, ev.Type, project, stage, service)
			if err != nil {
				return nil, err
			}
			if ok {
				matched = append(matched, w)
			}
		}
		if len(matched) > 0 {
			return matched, nil
		}
	}
	return nil, nil
}

// subscribed reports whether w applies to an event. A webhook with a
// subscriptionID follows that subscription's event and filter; one without
// subscribes itself to its type within the level of its file.
func (s *Service) subscribed(tx keptn.Tx, w Webhook, typ, project, stage, service string) (bool, error) {
	if w.SubscriptionID == "" {
		return keptn.TypeMatches(w.Type, typ), nil
	}
	sub, _, err := tx.Subscription(w.SubscriptionID)
	if keptn.ErrorCode(err) == keptn.CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return keptn.TypeMatches(w.Type, typ) && sub.Matches(typ, project, stage, service), nil
}

// startedData is the data of a .started: the triggering event's project,
// stage, service and labels. Its fields are in the order of their names,
// so that it encodes as the same data held in a map would.
type startedData struct {
	Labels  map[string]string `json:"labels,omitempty"`
	Project string            `json:"project"`
	Service string            `json:"service"`
	Stage   string            `json:"stage"`
}

// commonData is the data of the .started events about ev. Data that
// cannot hold labels (no "labels" key, no escape that could spell one)
// is not decoded again in the store's writer: its scope is known
// (keptn.Event.Scope, memoized before the writer for ingested events, which
// reads fields of the wrong type as empty, as ParsedData leaves them, and
// by which the store files the event).
//
// TestStartedDataIsTheCommonData keeps it in step with the decoding.
func commonData(ev *keptn.Event) startedData {
	if !bytes.Contains(ev.Data, []byte(`"labels"`)) && bytes.IndexByte(ev.Data, '\\') < 0 {
		project, stage, service := ev.Scope()
		return startedData{Project: project, Stage: stage, Service: service}
	}
	d, _ := ev.ParsedData()
	return startedData{Labels: d.Labels, Project: d.Project, Stage: d.Stage, Service: d.Service}
}

// emitStarted sends .started: one when baton sends .finished itself, one per
// request when the receiver will answer each request with its own .finished.
func (s *Service) emitStarted(ctx context.Context, tx keptn.Tx, ev *keptn.Event, w Webhook) error {
	if !w.SendStarted {
		return nil
	}
	n := 1
	if !w.SendFinished {
		n = len(w.Requests)
	}
	if made, ok := s.takeStarted(ev); ok {
		if err := s.events.AppendEncoded(ctx, tx, made.ev, made.body); err != nil {
			return err
		}
		n--
	}
	t := keptn.ParseType(ev.Type)
	for range n {
		st, err := s.newStarted(ev, t)
		if err != nil {
			return err
		}
		if err := s.events.Append(ctx, tx, st); err != nil {
			return err
		}
	}
	return nil
}

// Handle implements outbox.Handler: it renders and sends the webhook's
// requests in order, stopping at the first failure.
func (s *Service) Handle(ctx context.Context, it outbox.Item) outbox.Result {
	start := time.Now()
	j, err := s.job(it)
	if err != nil {
		return outbox.Result{Failed: true, Permanent: true, Attempt: outbox.Attempt{Started: start, Error: "corrupt webhook job: " + err.Error()}}
	}
	ev := j.event()
	data, secrets, err := s.templateData(ctx, &j)
	if err != nil {
		return s.fail(ctx, it, &j, ev, 0, err, true, nil, start)
	}
	var responses []any
	var last callResult
	for i, tmpl := range j.Webhook.Requests {
		req, err := renderRequest(tmpl, data)
		if err != nil {
			return s.fail(ctx, it, &j, ev, i, err, true, secrets, start)
		}
		last = s.call(ctx, req, it.Key+"-"+strconv.Itoa(i))
		if last.err != nil {
			return s.fail(ctx, it, &j, ev, i, last.err, last.permanent, secrets, start, last)
		}
		responses = append(responses, last.parsed(secrets))
	}
	res := outbox.Result{Attempt: outbox.Attempt{Started: start, Latency: time.Since(start), Status: last.status, Excerpt: redact(excerpt(last.body), secrets)}}
	if j.Task != "" && j.Webhook.SendFinished {
		d := j.commonData()
		d[j.Task] = map[string]any{"responses": responses}
		d["status"], d["result"] = keptn.StatusSucceeded, keptn.ResultPass
		fin, err := s.finished(it.Key, 0, ev, j.Task, d)
		if err == nil {
			res.Effect, err = s.emit(ctx, fin)
		}
		if err != nil {
			return outbox.Result{Failed: true, Attempt: outbox.Attempt{Started: start, Latency: time.Since(start), Error: "emit finished: " + err.Error()}}
		}
	}
	return res
}

// fail reports a failed run. A permanent failure, or a transient one on the
// final attempt, ends a task with result fail: one .finished when baton sends
// .finished, else one per request that did not reach the receiver.
func (s *Service) fail(ctx context.Context, it outbox.Item, j *job, ev *keptn.Event, failedAt int, cause error, permanent bool, secrets []string, start time.Time, res ...callResult) outbox.Result {
	msg := redact(cause.Error(), secrets)
	a := outbox.Attempt{Started: start, Latency: time.Since(start), Error: msg}
	if len(res) > 0 {
		a.Status, a.Excerpt = res[0].status, redact(excerpt(res[0].body), secrets)
	}
	out := outbox.Result{Failed: true, Permanent: permanent, Attempt: a}
	final := permanent || it.Final
	if final && j.Task != "" {
		n := 1
		if !j.Webhook.SendFinished {
			n = len(j.Webhook.Requests) - failedAt
		}
		fins := make([]*keptn.Event, 0, n)
		for k := range n {
			d := j.commonData()
			d["status"], d["result"], d["message"] = keptn.StatusErrored, keptn.ResultFail, msg
			fin, err := s.finished(it.Key, k, ev, j.Task, d)
			if err != nil {
				return outbox.Result{Failed: true, Attempt: outbox.Attempt{Started: start, Error: "emit finished: " + err.Error()}}
			}
			fins = append(fins, fin)
		}
		var err error
		if out.Effect, err = s.emit(ctx, fins...); err != nil {
			return outbox.Result{Failed: true, Attempt: outbox.Attempt{Started: start, Error: "emit finished: " + err.Error()}}
		}
	}
	return out
}

// finished returns a task's .finished whose id is derived from the job, so a
// run retried after a crash cannot finish the task twice.
func (s *Service) finished(key string, n int, ev *keptn.Event, task string, data map[string]any) (*keptn.Event, error) {
	fin, err := s.events.New(keptn.TaskType(task, "finished"), Source, ev.Shkeptncontext, ev.ID, data)
	if err != nil {
		return nil, err
	}
	fin.ID = keptn.DerivedID(ev.When(), fmt.Appendf(nil, "baton:webhook:%s:finished:%d", key, n))
	fin.GitCommitID = ev.GitCommitID
	return fin, nil
}

// emit returns the effect that appends events with the call's outcome. With
// no way to see the outcome's transaction as a Keptn one, it appends them at
// once in a transaction of its own and returns no effect. The events are
// encoded here, in the handler, rather than in the store's writer.
func (s *Service) emit(ctx context.Context, events ...*keptn.Event) (outbox.Effect, error) {
	bodies := make([][]byte, len(events))
	for i, ev := range events {
		b, err := keptn.EncodeEvent(ev)
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	appendAll := func(ctx context.Context, tx keptn.Tx) error {
		for i, ev := range events {
			err := s.events.AppendEncoded(ctx, tx, ev, bodies[i])
			if keptn.ErrorCode(err) == keptn.CodeConflict {
				return outbox.ErrAlreadyApplied // emitted by an earlier attempt
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if s.keptnTx == nil {
		err := s.store.Update(ctx, func(tx keptn.Tx) error { return appendAll(ctx, tx) })
		if errors.Is(err, outbox.ErrAlreadyApplied) {
			err = nil
		}
		return nil, err
	}
	return func(ctx context.Context, otx outbox.Tx) error {
		tx, ok := s.keptnTx(otx)
		if !ok {
			return fmt.Errorf("webhook: outcome transaction %T is not a Keptn one", otx)
		}
		return appendAll(ctx, tx)
	}, nil
}

// templateData is the event as a map plus .env with the webhook's secrets.
// It is the job's own map, which it adds .env to.
func (s *Service) templateData(ctx context.Context, j *job) (map[string]any, []string, error) {
	data := j.Event
	if data == nil {
		data = map[string]any{}
	}
	env := map[string]any{}
	var values []string
	for _, e := range j.Webhook.EnvFrom {
		vals, err := s.secrets.Values(ctx, SecretScope, e.SecretRef.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("secret %s (scope %s): %v", e.SecretRef.Name, SecretScope, err)
		}
		v, ok := vals[e.SecretRef.Key]
		if !ok {
			return nil, nil, fmt.Errorf("secret %s has no key %s", e.SecretRef.Name, e.SecretRef.Key)
		}
		env[e.Name] = v
		values = append(values, v)
	}
	data["env"] = env
	return data, values, nil
}

type callResult struct {
	status    int
	body      []byte
	err       error
	permanent bool
}

// parsed is the response as it goes into data.<task>.responses: a JSON
// object when the body is one, else the text; secret values are replaced by
// *** first, so an endpoint echoing a header cannot leak it into the history.
func (c callResult) parsed(secrets []string) any {
	body := []byte(redact(string(c.body), secrets))
	var v map[string]any
	if json.Unmarshal(body, &v) == nil {
		return v
	}
	return string(body)
}

// call sends one request. Non-2xx answers fail like curl --fail-with-body;
// 408, 429 and 5xx, timeouts and connection errors are transient.
func (s *Service) call(ctx context.Context, r Request, idempotencyKey string) callResult {
	timeout := s.timeout
	if r.Timeout > 0 {
		timeout = time.Duration(r.Timeout * float64(time.Second))
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if r.Payload != "" {
		body = strings.NewReader(r.Payload)
	}
	// The request parses the URL (once). A bad URL, then a bad header,
	// are refused before a bad method.
	req, reqErr := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
	var u *url.URL
	if reqErr == nil {
		u = req.URL
	} else {
		u, _ = url.Parse(r.URL)
	}
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return callResult{err: fmt.Errorf("invalid URL %q: use http:// or https://", r.URL), permanent: true}
	}
	if err := checkHeaders(r.Headers); err != nil {
		return callResult{err: err, permanent: true}
	}
	if reqErr != nil {
		return callResult{err: reqErr, permanent: true}
	}
	req.Header = make(http.Header, len(r.Headers)+2)
	for _, h := range r.Headers {
		req.Header.Add(h.Key, h.Value)
	}
	if r.User != "" {
		user, pass, _ := strings.Cut(r.User, ":")
		req.SetBasicAuth(user, pass)
	} else if u.User != nil && req.Header.Get("Authorization") == "" {
		// Credentials in the URL, as an http.Client sends them.
		pass, _ := u.User.Password()
		req.SetBasicAuth(u.User.Username(), pass)
	}
	req.Header["Idempotency-Key"] = []string{idempotencyKey}
	if req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = userAgent
	}
	tr := s.transport
	if r.Insecure {
		tr = s.insecureTransport
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		var ne net.Error
		refused := errors.Is(err, netguard.ErrRefused)
		timedOut := errors.As(err, &ne) && ne.Timeout()
		msg := fmt.Sprintf("%s %s failed: %v", r.Method, u.Redacted(), unwrapURLError(err))
		if timedOut {
			msg = fmt.Sprintf("%s %s timed out after %s", r.Method, u.Redacted(), timeout)
		}
		return callResult{err: errors.New(msg), permanent: refused}
	}
	defer resp.Body.Close()
	res := callResult{status: resp.StatusCode, body: readBody(resp)}
	b := res.body
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.err = fmt.Errorf("%s %s answered %d: %s", r.Method, u.Redacted(), resp.StatusCode, excerpt(b))
		res.permanent = !(resp.StatusCode == 408 || resp.StatusCode == 429 || resp.StatusCode >= 500)
	}
	return res
}

// readBody reads up to maxResponse bytes of the response. A body of known
// length is read into a buffer of its size, not grown from io.ReadAll's.
func readBody(resp *http.Response) []byte {
	if n := resp.ContentLength; n >= 0 && n <= maxResponse {
		b := make([]byte, n)
		k, _ := io.ReadFull(resp.Body, b)
		return b[:k]
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	return b
}

// userAgent is the User-Agent of requests that set none. Transports only
// read request headers, so every request may share it.
var userAgent = []string{"baton-webhook"}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 512 {
		return string(b[:512]) + "…"
	}
	return string(b)
}

// redact replaces every secret value in s with ***.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}
