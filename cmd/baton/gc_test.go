package main

import "testing"

// The percentage gives a small live heap gcHeadroom to grow into and a
// large one serverGCPercent, within bounds.
func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent},     // 64 MiB over 1 MiB would be 6400 %
		{4 << 20, 1600},             // 64 MiB over 4 MiB
		{8 << 20, 800},              //
		{16 << 20, 400},             // exactly the floor
		{100 << 20, 400},            // large heaps: GOGC=400 as before
		{10 << 30, serverGCPercent}, //
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}
