package keptnapi

import (
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The posted event's reply is written without an encoder; it must stay byte
// for byte what the encoder writes, headers included, for any context the
// store may hand back (UUIDs in every form uuid.Parse keeps, and anything).
func TestContextReplyMatchesEncoder(t *testing.T) {
	for _, kc := range []string{
		"1b0a2ae4-6a5b-4b5c-9c5e-0c5b2f3b1a11",
		"urn:uuid:1b0a2ae4-6a5b-4b5c-9c5e-0c5b2f3b1a11",
		"{1b0a2ae4-6a5b-4b5c-9c5e-0c5b2f3b1a11}",
		"1b0a2ae46a5b4b5c9c5e0c5b2f3b1a11",
		"",
		"\x7f", "é", "tab\there",
		`<a href="x">&amp;</a> "quoted" \ back` + "\u2028\n\x00\xff",
	} {
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		if err := writeContextReply(got, kc); err != nil {
			t.Fatal(err)
		}
		if err := writeJSON(want, 200, keptnContextReply{kc}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got.Body.String(), want.Body.String()); diff != "" {
			t.Errorf("body for %q (-got +want):\n%s", kc, diff)
		}
		if diff := cmp.Diff(got.Result().Header, want.Result().Header); diff != "" {
			t.Errorf("headers for %q (-got +want):\n%s", kc, diff)
		}
		if got.Code != want.Code {
			t.Errorf("status for %q: got %d, want %d", kc, got.Code, want.Code)
		}
	}
}
