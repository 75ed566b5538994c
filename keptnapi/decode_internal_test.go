package keptnapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/keptn"
)

// decodeJSON reads the body whole and unmarshals it; what it accepts and the
// errors it returns must stay those of a json.Decoder reading the body
// (decodeFrom), limits and read errors included.
func TestDecodeJSONAsDecoder(t *testing.T) {
	const limit = 64
	broken := errors.New("connection reset")
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"event", strings.NewReader(`{"type":"t","source":"s","data":{"project":"p"}}`)},
		{"trailing space", strings.NewReader("{\"type\":\"t\"} \n\t")},
		{"trailing value", strings.NewReader(`{"type":"t"} {}`)},
		{"trailing brace", strings.NewReader(`{"type":"t"}}`)},
		{"malformed", strings.NewReader(`{"type":`)},
		{"wrong type", strings.NewReader(`{"type":1,"source":"s"}`)},
		{"empty", strings.NewReader(``)},
		{"not an object", strings.NewReader(`[1]`)},
		{"too large", strings.NewReader(`{"type":"` + strings.Repeat("x", 100) + `"}`)},
		{"too large after the value", strings.NewReader(`{"type":"t"}` + strings.Repeat(" ", 100))},
		{"garbage past the limit", strings.NewReader(`{"type":"t"}}` + strings.Repeat("x", 100))},
		{"read error after the value", io.MultiReader(strings.NewReader(`{"type":"t"}`), errReader{broken})},
		{"read error inside the value", io.MultiReader(strings.NewReader(`{"type":"t`), errReader{broken})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The case's bytes, and its own read error replayed after them.
			body, tail := io.ReadAll(tc.body)
			reader := func() io.Reader {
				if tail != nil {
					return io.MultiReader(strings.NewReader(string(body)), errReader{tail})
				}
				return strings.NewReader(string(body))
			}
			var got, want keptn.Event
			gotErr := decodeJSON(limited(reader(), limit), &got)
			wantErr := decodeFrom(limited(reader(), limit).Body, &want)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("error %v, the decoder's %v", gotErr, wantErr)
			}
			if gotErr == nil {
				if diff := cmp.Diff(got, want, cmp.AllowUnexported(keptn.Event{})); diff != "" {
					t.Errorf("decoded (-got +want):\n%s", diff)
				}
			}
		})
	}
}

// limited is a request with body r, capped at n bytes as the API caps them.
func limited(r io.Reader, n int64) *http.Request {
	req := httptest.NewRequest("POST", "/", r)
	req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, n)
	return req
}
