package webhook

import (
	"bytes"
	"encoding/json"
	"sync"
	"unicode/utf8"

	"github.com/batonhq/baton/keptn"
)

// jobCacheGen is how many jobs one generation of the job cache holds: two
// generations bound it. A job is normally taken within milliseconds of its
// enqueue; the bound matters only for jobs that are never taken here (a
// rolled back transaction, a replica that claimed the item first).
const jobCacheGen = 2048

// jobCache holds the jobs OnEvent enqueued, by outbox key, with the event
// they came from, so that Handle need not decode the payload it wrote (a
// JSON decode of the whole event, the largest cost of a call outside the
// store). A job is used only for a payload equal to the one cached, so a
// cached job is the payload's decoding whatever happened in between; a miss
// just decodes.
type jobCache struct {
	mu       sync.Mutex
	cur, old map[string]*cachedJob
}

// cachedJob is an enqueued job as OnEvent saw it.
type cachedJob struct {
	payload []byte
	ev      keptn.Event // a copy: the caller's event may change afterwards
	hook    *hook
	task    string
}

// put remembers the job enqueued with payload under key.
func (c *jobCache) put(key string, payload []byte, ev *keptn.Event, h *hook, task string) {
	j := &cachedJob{payload: payload, ev: *ev, hook: h, task: task}
	c.mu.Lock()
	if len(c.cur) >= jobCacheGen || c.cur == nil {
		c.old, c.cur = c.cur, make(map[string]*cachedJob, jobCacheGen)
	}
	c.cur[key] = j
	c.mu.Unlock()
}

// take removes and returns the job cached under key if its payload is
// payload; nil otherwise.
func (c *jobCache) take(key string, payload []byte) *cachedJob {
	c.mu.Lock()
	j, ok := c.cur[key]
	if ok {
		delete(c.cur, key)
	} else if j, ok = c.old[key]; ok {
		delete(c.old, key)
	}
	c.mu.Unlock()
	if !ok || !bytes.Equal(j.payload, payload) {
		return nil
	}
	return j
}

// job returns the job as decodeJob would decode its payload, or false when
// the event holds something whose JSON round trip is not the identity
// (invalid UTF-8, which encoding replaces), or data that does not decode.
func (c *cachedJob) job() (job, bool) {
	m, ok := eventMap(&c.ev)
	if !ok {
		return job{}, false
	}
	return job{Event: m, Webhook: c.hook.Webhook, Task: c.task}, true
}

// eventMap is the event as json.Unmarshal decodes json.Marshal(ev) into a
// map, built from its fields rather than from its encoding: only data and
// extensions are decoded. It reports false when that would differ (see
// cachedJob.job). TestEventMapIsTheDecodedEncoding keeps it in step with
// keptn.Event.
func eventMap(ev *keptn.Event) (map[string]any, bool) {
	m := make(map[string]any, 14)
	for _, f := range [...]struct {
		name, v   string
		omitempty bool
	}{
		{"specversion", ev.SpecVersion, false},
		{"id", ev.ID, false},
		{"source", ev.Source, false},
		{"type", ev.Type, false},
		{"time", ev.Time, false},
		{"contenttype", ev.ContentType, true},
		{"datacontenttype", ev.DataContentType, true},
		{"shkeptncontext", ev.Shkeptncontext, false},
		{"triggeredid", ev.TriggeredID, true},
		{"gitcommitid", ev.GitCommitID, true},
		{"shkeptnspecversion", ev.ShkeptnSpecVersion, true},
		{"shkeptnversion", ev.ShkeptnVersion, true},
	} {
		if f.omitempty && f.v == "" {
			continue
		}
		if !utf8.ValidString(f.v) {
			return nil, false
		}
		m[f.name] = f.v
	}
	data, ok := decodeRaw(ev.Data)
	if !ok {
		return nil, false
	}
	m["data"] = data
	if len(ev.Extensions) > 0 {
		x, ok := decodeRaw(ev.Extensions)
		if !ok {
			return nil, false
		}
		m["extensions"] = x
	}
	return m, true
}

// decodeRaw decodes raw JSON as it decodes inside an encoding of a
// keptn.Event: empty as null.
func decodeRaw(raw json.RawMessage) (any, bool) {
	if len(raw) == 0 {
		return nil, true
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return v, true
}
