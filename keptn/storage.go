package keptn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// This file holds what every storage engine does alike with Keptn values
// (no SQL): decoding stored executions, the deployed image an event
// records, integration filters, and a cache of parsed shipyards.

// DecodeExecution decodes an execution stored as JSON, with its creation
// sequence number; numbers in event payloads stay exact.
func DecodeExecution(seq int64, body []byte) (*SequenceExecution, error) {
	e := &SequenceExecution{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(e); err != nil {
		return nil, fmt.Errorf("decode execution: %w", err)
	}
	e.Seq = seq
	e.MarkStored()
	return e, nil
}

// DeployedImage returns the image a successful deployment.finished event
// carries in data.configurationChange.values.image, else "".
func DeployedImage(ev *Event) string {
	if ev.Type != "sh.keptn.event.deployment.finished" {
		return ""
	}
	var d struct {
		Result              string `json:"result"`
		ConfigurationChange struct {
			Values struct {
				Image any `json:"image"`
			} `json:"values"`
		} `json:"configurationChange"`
	}
	if json.Unmarshal(ev.Data, &d) != nil || d.Result == ResultFail {
		return ""
	}
	img, _ := d.ConfigurationChange.Values.Image.(string)
	return img
}

// Covers reports whether one of subs matches the project, stage and service
// of f (an empty filter field or an empty subscription list matches all).
func (f IntegrationFilter) Covers(subs []Subscription) bool {
	in := func(list []string, v string) bool {
		if v == "" || len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	for _, s := range subs {
		if in(s.Filter.Projects, f.Project) && in(s.Filter.Stages, f.Stage) && in(s.Filter.Services, f.Service) {
			return true
		}
	}
	return false
}

// ShipyardCache keeps parsed shipyards keyed by their YAML text, so a
// shipyard is parsed once however often the engines look it up. Keyed by
// content, it never serves a stale shipyard after a project update. Callers
// must not modify the shipyards it returns. The zero value is ready.
type ShipyardCache struct {
	mu sync.Mutex
	m  map[string]*Shipyard
}

// maxCachedShipyards bounds the cache; it starts over when full.
const maxCachedShipyards = 256

// Parse returns the parsed shipyard of raw.
func (c *ShipyardCache) Parse(raw string) (*Shipyard, error) {
	c.mu.Lock()
	sy := c.m[raw]
	c.mu.Unlock()
	if sy != nil {
		return sy, nil
	}
	sy, err := ParseShipyard([]byte(raw))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedShipyards {
		c.m = map[string]*Shipyard{}
	}
	c.m[raw] = sy
	c.mu.Unlock()
	return sy, nil
}
