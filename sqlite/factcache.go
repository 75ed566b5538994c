package sqlite

import "github.com/batonhq/baton/keptn"

// factCache keeps, across transactions, what the sequence engine reads of
// the project model on every sequence and what rarely changes: a project's
// shipyard, whether a service exists, and whether any sequence is paused at
// all. It is the writer goroutine's alone, as the transactions that read
// it are, and follows levelCache's discipline:
//
//   - It holds committed facts only. A transaction that writes projects,
//     services or pauses marks the open group dirty; until the group ends
//     the cache is neither read nor filled (the group's transactions see
//     their own uncommitted writes, which may still roll back).
//   - When a dirty group ends, committed or not, everything is dropped.
//
// A transaction that reads a fact while the group is clean reads what
// earlier groups committed, since nothing in its own group changed it.
type factCache struct {
	dirty     bool
	shipyards map[string]*keptn.Shipyard // by project; found projects only
	services  map[[2]string]bool         // (project, service): exists
	pauses    pauseFact
}

// pauseFact is what the cache knows of sequence_pauses as a whole.
type pauseFact uint8

const (
	pausesUnknown pauseFact = iota
	pausesNone              // no row: no sequence is paused
	pausesSome
)

// factCacheSize bounds each map; a full map starts over.
const factCacheSize = 1024

func (c *factCache) shipyard(project string) (*keptn.Shipyard, bool) {
	if c.dirty {
		return nil, false
	}
	s, ok := c.shipyards[project]
	return s, ok
}

func (c *factCache) putShipyard(project string, s *keptn.Shipyard) {
	if c.dirty {
		return
	}
	if c.shipyards == nil || len(c.shipyards) >= factCacheSize {
		c.shipyards = make(map[string]*keptn.Shipyard)
	}
	c.shipyards[project] = s
}

func (c *factCache) service(project, service string) (exists, ok bool) {
	if c.dirty {
		return false, false
	}
	exists, ok = c.services[[2]string{project, service}]
	return exists, ok
}

func (c *factCache) putService(project, service string, exists bool) {
	if c.dirty {
		return
	}
	if c.services == nil || len(c.services) >= factCacheSize {
		c.services = make(map[[2]string]bool)
	}
	c.services[[2]string{project, service}] = exists
}

// paused returns what is known of sequence_pauses as a whole.
func (c *factCache) paused() pauseFact {
	if c.dirty {
		return pausesUnknown
	}
	return c.pauses
}

func (c *factCache) putPaused(f pauseFact) {
	if !c.dirty {
		c.pauses = f
	}
}

// wrote records a write to projects, services or pauses in the open group.
func (c *factCache) wrote() { c.dirty = true }

// groupEnded drops everything if the group that ended was dirty.
func (c *factCache) groupEnded() {
	if c.dirty {
		*c = factCache{}
	}
}
