package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collector tuning for serve and bench, unless GOGC is set.
//
// baton's live heap is small (bodies are capped, state is in the store), and
// a collection's cost is mostly fixed (stacks, globals, the live heap), so
// the number of collections is what costs CPU on the request paths. A
// percentage alone grows the heap in proportion to a small live heap: at
// GOGC=400 and 5 MiB live, a collection every 20 MiB allocated, several a
// second at full load (10–25 % of the CPU per SQS send in our profiles
// before any tuning, 6 % at 400). So the heap may also always grow by
// gcHeadroom over what is live: the tuner sets the percentage to the larger
// of serverGCPercent and gcHeadroom/live, at most maxGCPercent. A small heap
// then collects about three times less often for at most gcHeadroom of
// memory; a large one behaves as at serverGCPercent. GOMEMLIMIT, if set,
// still bounds the heap.
const (
	serverGCPercent = 400
	maxGCPercent    = 3200
	gcHeadroom      = 64 << 20
	gcTuneEvery     = time.Second
)

// gcPercentFor returns the collector's percentage for a live heap of live
// bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := gcHeadroom * 100 / live
	if p > maxGCPercent {
		return maxGCPercent
	}
	return max(int(p), serverGCPercent)
}

// tuneGC starts the tuner unless the operator set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	cur := gcPercentFor(live())
	debug.SetGCPercent(cur)
	go func() {
		for range time.Tick(gcTuneEvery) {
			// Change it only when it moves by more than a tenth: each
			// change recomputes the collector's pacing.
			if p := gcPercentFor(live()); p*10 < cur*9 || p*10 > cur*11 {
				debug.SetGCPercent(p)
				cur = p
			}
		}
	}()
}
