package promsli

import (
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/keptn"
	"github.com/batonhq/baton/lighthouse"
)

func TestSubstitute(t *testing.T) {
	d := lighthouse.GetSLITriggeredData{
		EventData:  keptn.EventData{Project: "shop", Stage: "dev", Service: "carts", Labels: map[string]string{"team": "checkout", "teamlead": "ann"}},
		GetSLI:     lighthouse.GetSLI{CustomFilters: []*lighthouse.SLIFilter{{Key: "handler", Value: `"/api'`}}},
		Deployment: "canary",
	}
	start := time.Date(2021, 1, 2, 15, 0, 0, 0, time.UTC)
	got := substitute(`rate(x{p="$PROJECT",s="$STAGE",svc="$SERVICE",d="$DEPLOYMENT",t="$LABEL.team",l="$LABEL.teamlead",h="$handler",H="$HANDLER"}[$DURATION_SECONDS])`,
		d, start, start.Add(5*time.Minute+500*time.Millisecond))
	want := `rate(x{p="shop",s="dev",svc="carts",d="canary",t="checkout",l="ann",h="/api",H="/api"}[301s])`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      float64
		err       error
		transient bool
	}{
		{"vector", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"42.5"]}]}}`, 42.5, nil, false},
		{"scalar", 200, `{"status":"success","data":{"resultType":"scalar","result":[1,"7"]}}`, 7, nil, false},
		{"empty", 200, `{"status":"success","data":{"resultType":"vector","result":[]}}`, 0, errNoValues, false},
		{"several", 200, `{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]},{"value":[1,"2"]}]}}`, 0, errMultipleValues, false},
		{"NaN", 200, `{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"NaN"]}]}}`, 0, errInvalidData, false},
		{"bad PromQL", 400, `{"status":"error","errorType":"bad_data","error":"parse error"}`, 0, nil, false},
		{"overloaded", 503, `busy`, 0, nil, true},
		{"not prometheus", 200, `<html>`, 0, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := parseAnswer(tc.status, []byte(tc.body))
			var te *transientError
			if errors.As(err, &te) != tc.transient {
				t.Errorf("transient = %v, want %v (%v)", !tc.transient, tc.transient, err)
			}
			switch {
			case tc.err != nil && !errors.Is(err, tc.err):
				t.Errorf("err %v, want %v", err, tc.err)
			case tc.err == nil && tc.want != 0 && (err != nil || v != tc.want):
				t.Errorf("got %v, %v; want %v", v, err, tc.want)
			case tc.want == 0 && err == nil:
				t.Errorf("got %v, want an error", v)
			}
		})
	}
}
