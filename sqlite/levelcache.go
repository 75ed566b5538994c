package sqlite

import (
	"slices"

	"github.com/batonhq/baton/keptn"
)

// levelCache keeps what the level-file query of the event hooks read
// (keptn.LevelMemo), across transactions: every event asks for the same
// files of its project, stage and service, and they rarely change. It is
// the writer goroutine's alone, as the transactions that read it are.
//
// An entry holds committed files only. Any resource write marks the open
// group dirty: until the group ends the cache is neither read nor filled
// (the group's transactions see its own uncommitted writes, which may still
// roll back), and when it ends, committed or not, every entry is dropped
// by advancing the generation.
type levelCache struct {
	gen     uint64
	dirty   bool
	entries map[[3]string]levelEntry
}

type levelEntry struct {
	gen  uint64
	uris []string
	res  []keptn.LevelResource
}

// levelCacheSize bounds the entries (project, stage and service triples).
const levelCacheSize = 1024

// get returns the files of uris at the levels of key, if cached.
func (c *levelCache) get(key [3]string, uris []string) ([]keptn.LevelResource, bool) {
	if c.dirty {
		return nil, false
	}
	e, ok := c.entries[key]
	if !ok || e.gen != c.gen || !slices.Equal(e.uris, uris) {
		return nil, false
	}
	return e.res, true
}

// put caches what a transaction read, unless the group wrote resources.
func (c *levelCache) put(key [3]string, uris []string, res []keptn.LevelResource) {
	if c.dirty {
		return
	}
	if c.entries == nil || len(c.entries) >= levelCacheSize {
		c.entries = make(map[[3]string]levelEntry)
	}
	c.entries[key] = levelEntry{gen: c.gen, uris: slices.Clone(uris), res: res}
}

// wrote records a resource write in the open group.
func (c *levelCache) wrote() { c.dirty = true }

// groupEnded drops every entry if the group that ended wrote resources.
func (c *levelCache) groupEnded() {
	if c.dirty {
		c.gen++
		c.dirty = false
	}
}
