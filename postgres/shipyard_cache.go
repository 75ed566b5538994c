package postgres

import (
	"sync"

	"github.com/batonhq/baton/keptn"
)

// shipyardCache keeps parsed shipyards keyed by their YAML text, so a
// shipyard is parsed once however often the engines look it up. Keyed by
// content, it never serves a stale shipyard after a project update. Callers
// must not modify the shipyards it returns.
type shipyardCache struct {
	mu sync.Mutex
	m  map[string]*keptn.Shipyard
}

// maxCachedShipyards bounds the cache; it starts over when full.
const maxCachedShipyards = 256

func (c *shipyardCache) parse(raw string) (*keptn.Shipyard, error) {
	c.mu.Lock()
	sy := c.m[raw]
	c.mu.Unlock()
	if sy != nil {
		return sy, nil
	}
	sy, err := keptn.ParseShipyard([]byte(raw))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedShipyards {
		c.m = map[string]*keptn.Shipyard{}
	}
	c.m[raw] = sy
	c.mu.Unlock()
	return sy, nil
}
