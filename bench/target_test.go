package bench

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBaseRoundRobin(t *testing.T) {
	one := &Target{URL: "http://a"}
	two := &Target{URL: "http://a", Replicas: []string{"http://b", "http://c"}}
	var got1, got2 []string
	for range 4 {
		got1 = append(got1, one.Base())
		got2 = append(got2, two.Base())
	}
	if diff := cmp.Diff(got1, []string{"http://a", "http://a", "http://a", "http://a"}); diff != "" {
		t.Errorf("one endpoint (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(got2, []string{"http://a", "http://b", "http://c", "http://a"}); diff != "" {
		t.Errorf("replicas (-got +want):\n%s", diff)
	}
}
