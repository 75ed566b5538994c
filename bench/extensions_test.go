package bench

import (
	"context"
	"testing"
)

func TestExtensionsBenchmarkRuns(t *testing.T) {
	r, err := Extensions(context.Background(), ExtensionsOptions{Associations: []int{1, 3}, Steps: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Summaries) != 2 || r.Summaries[1].Ops != 4 || r.Summaries[1].P50 <= 0 {
		t.Fatalf("summaries %+v", r.Summaries)
	}
}
