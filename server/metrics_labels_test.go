package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// Made-up HTTP methods (Go accepts any token as a method) and unknown paths
// must not each create a metric series: labels are bounded to known methods
// and route patterns, anything else is "other".
func TestMetricLabelsBounded(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	client := &http.Client{}
	for i := range 10000 {
		req, err := http.NewRequest(fmt.Sprintf("M%05d", i), in.URL+fmt.Sprintf("/nowhere/%d", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	st, body := in.Do("GET", "/metrics", nil)
	if st != 200 {
		t.Fatalf("metrics: %d", st)
	}
	series := 0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "baton_http_requests_total{") {
			series++
		}
	}
	t.Logf("/metrics: %d bytes, %d request series", len(body), series)
	if series > 20 {
		t.Errorf("%d series of baton_http_requests_total after 10,000 made-up methods; want a bounded few", series)
	}
	if len(body) > 64<<10 {
		t.Errorf("/metrics is %d bytes; want it small", len(body))
	}
	if !strings.Contains(string(body), `method="other"`) {
		t.Errorf("made-up methods are not counted as other")
	}
}
