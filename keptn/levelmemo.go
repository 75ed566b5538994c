package keptn

import (
	"slices"
	"sync"
)

// LevelURIs is the set of resource URIs that event hooks look up level by
// level (webhook.yaml, appconfig.yaml, slo.yaml…), learned as they ask. A
// store keeps one, so that a LevelMemo can read every such file of a level
// with one query instead of one per hook.
type LevelURIs struct {
	mu   sync.Mutex
	uris []string
}

// maxLevelURIs bounds the set; URIs beyond it are read on their own.
const maxLevelURIs = 16

// add records uri and returns the URIs to read together with it (sorted,
// so that a store's statement text stays the same), and whether uri is
// among them.
func (u *LevelURIs) add(uri string) ([]string, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if i, found := slices.BinarySearch(u.uris, uri); !found && len(u.uris) < maxLevelURIs {
		u.uris = slices.Insert(slices.Clone(u.uris), i, uri)
	}
	_, found := slices.BinarySearch(u.uris, uri)
	return u.uris, found
}

// LevelMemo answers ProjectTx.LevelResources inside one write transaction:
// the first lookup of a level reads the files of every URI in LevelURIs at
// once, later lookups of that level are answered from memory. A transaction
// that writes resources must Reset it. The zero value is ready to use.
type LevelMemo struct {
	// levels are few in a transaction (usually one): a slice searched in
	// order costs less than a map, whose first insert allocated most of
	// what an ingested event allocated in the store.
	levels []levelRead
}

// levelRead is what one query read of a level: the files of uris.
type levelRead struct {
	key  [3]string // project, stage, service
	uris []string
	res  []LevelResource
}

// maxMemoLevels bounds the levels a memo keeps; past it, it starts over.
const maxMemoLevels = 64

// Reset forgets what was read; call it when the transaction writes resources.
func (m *LevelMemo) Reset() { m.levels = nil }

// find returns the read of key, or nil.
func (m *LevelMemo) find(key [3]string) *levelRead {
	for i := range m.levels {
		if m.levels[i].key == key {
			return &m.levels[i]
		}
	}
	return nil
}

// put records a read of its level, replacing an earlier one.
func (m *LevelMemo) put(r levelRead) levelRead {
	if old := m.find(r.key); old != nil {
		*old = r
		return r
	}
	if len(m.levels) >= maxMemoLevels {
		m.levels = m.levels[:0]
	}
	m.levels = append(m.levels, r)
	return r
}

// Get returns the resources named uri at the project, stage and service
// levels, service level first. load reads the resources of the given URIs
// at those levels in that order, each with its URI set.
func (m *LevelMemo) Get(set *LevelURIs, project, stage, service, uri string,
	load func(uris []string) ([]LevelResource, error)) ([]LevelResource, error) {
	uris, shared := set.add(uri)
	if !shared {
		return load([]string{uri})
	}
	key := [3]string{project, stage, service}
	got := m.find(key)
	if got == nil || !slices.Contains(got.uris, uri) {
		res, err := load(uris)
		if err != nil {
			return nil, err
		}
		r := m.put(levelRead{key: key, uris: uris, res: res})
		got = &r
	}
	var out []LevelResource
	for _, r := range got.res {
		if r.URI == uri {
			out = append(out, r)
		}
	}
	return out, nil
}

// Known returns the URIs read together so far (nil before any hook asked),
// so a store can read them ahead, in the round trip of another statement.
func (u *LevelURIs) Known() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.uris
}

// Seed records res as what a lookup of uris at the project, stage and
// service levels read in this transaction (see LevelURIs.Known).
func (m *LevelMemo) Seed(project, stage, service string, uris []string, res []LevelResource) {
	m.put(levelRead{key: [3]string{project, stage, service}, uris: uris, res: res})
}
