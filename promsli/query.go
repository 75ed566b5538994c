package promsli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/batonhq/baton/lighthouse"
	"github.com/batonhq/baton/netguard"
)

// Errors of one query, with Keptn prometheus-service's messages.
var (
	errNoValues       = errors.New("query did not return any values")
	errMultipleValues = errors.New("query did return multiple values")
	errInvalidData    = errors.New("query did not return valid values")
)

// maxResponse caps how much of a Prometheus answer is read.
const maxResponse = 4 << 20

// transientError is a failure worth retrying: Prometheus unreachable,
// overloaded or timing out.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// target is where and as whom to query.
type target struct {
	URL, User, Password string
}

// substitute replaces Keptn's placeholders in a query: custom filters
// ($key and $KEY, quotes removed from values), $PROJECT, $STAGE, $SERVICE,
// $DEPLOYMENT, $LABEL.<name> and $DURATION_SECONDS (e.g. "300s").
func substitute(q string, d lighthouse.GetSLITriggeredData, start, end time.Time) string {
	for _, f := range d.GetSLI.CustomFilters {
		if f == nil {
			continue
		}
		v := strings.NewReplacer("'", "", `"`, "").Replace(f.Value)
		q = strings.ReplaceAll(q, "$"+f.Key, v)
		q = strings.ReplaceAll(q, "$"+strings.ToUpper(f.Key), v)
	}
	q = strings.ReplaceAll(q, "$PROJECT", d.Project)
	q = strings.ReplaceAll(q, "$STAGE", d.Stage)
	q = strings.ReplaceAll(q, "$SERVICE", d.Service)
	q = strings.ReplaceAll(q, "$DEPLOYMENT", d.Deployment)
	keys := make([]string, 0, len(d.Labels))
	for k := range d.Labels {
		keys = append(keys, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(keys))) // $LABEL.ab before $LABEL.a
	for _, k := range keys {
		q = strings.ReplaceAll(q, "$LABEL."+k, d.Labels[k])
	}
	secs := int64(math.Ceil(end.Sub(start).Seconds()))
	return strings.ReplaceAll(q, "$DURATION_SECONDS", strconv.FormatInt(secs, 10)+"s")
}

// query runs an instant query at t and returns its single value.
func query(ctx context.Context, client *http.Client, tg target, promQL string, t time.Time) (float64, error) {
	base, err := url.Parse(strings.TrimRight(tg.URL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return 0, fmt.Errorf("prometheus url %q is not an http(s) URL", tg.URL)
	}
	u := base.JoinPath("api", "v1", "query")
	u.RawQuery = url.Values{"query": {promQL}, "time": {strconv.FormatInt(t.Unix(), 10)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, err
	}
	if tg.User != "" || tg.Password != "" {
		req.SetBasicAuth(tg.User, tg.Password)
	}
	req.Header.Set("User-Agent", "baton-prometheus-sli")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrRefused) {
			return 0, fmt.Errorf("unable to query prometheus api: %w", err)
		}
		// Unreachable, reset or timed out: worth another attempt.
		return 0, &transientError{fmt.Errorf("unable to query prometheus api at %s: %v", base.Redacted(), unwrapURL(err))}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	return parseAnswer(resp.StatusCode, body)
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// answer is the Prometheus HTTP API envelope.
type answer struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// parseAnswer reads one value from an instant query's answer. 5xx and 429
// are transient; other errors belong to the query.
func parseAnswer(status int, body []byte) (float64, error) {
	var a answer
	jerr := json.Unmarshal(body, &a)
	if status >= 500 || status == http.StatusTooManyRequests {
		return 0, &transientError{fmt.Errorf("prometheus answered %d: %s", status, excerpt(body))}
	}
	if jerr != nil {
		return 0, fmt.Errorf("prometheus answered %d with no API response: %s", status, excerpt(body))
	}
	if a.Status != "success" {
		return 0, fmt.Errorf("unable to query prometheus api: %s: %s", a.ErrorType, a.Error)
	}
	var sample []any
	switch a.Data.ResultType {
	case "vector":
		var vec []struct {
			Value []any `json:"value"`
		}
		if err := json.Unmarshal(a.Data.Result, &vec); err != nil {
			return 0, errInvalidData
		}
		switch len(vec) {
		case 0:
			return 0, errNoValues
		case 1:
		default:
			return 0, errMultipleValues
		}
		sample = vec[0].Value
	case "scalar":
		if err := json.Unmarshal(a.Data.Result, &sample); err != nil {
			return 0, errInvalidData
		}
	default:
		return 0, fmt.Errorf("prometheus api response is not a vector but a %s", a.Data.ResultType)
	}
	if len(sample) != 2 {
		return 0, errInvalidData
	}
	s, _ := sample[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errInvalidData
	}
	return v, nil
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 256 {
		return s[:256] + "…"
	}
	return s
}
