package keptn

import (
	"encoding/json"
	"testing"
)

// TestPlainString checks PlainString against json.Marshal for every byte,
// alone and inside a longer string: a plain string is written as it is, and
// every printable ASCII byte json.Marshal writes as it is counts as plain
// (DEL is refused on purpose).
func TestPlainString(t *testing.T) {
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "sh.keptn." + string([]byte{byte(c)}) + ".x"} {
			raw, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			asIs := string(raw) == `"`+s+`"`
			if got := PlainString(s); got != (asIs && c != 0x7f) {
				t.Errorf("PlainString(%q) = %v, json.Marshal writes %s", s, got, raw)
			}
		}
	}
	if !PlainString("") {
		t.Error(`PlainString("") = false`)
	}
}

func BenchmarkPlainString(b *testing.B) {
	s := "sh.keptn.event.deployment.triggered-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
	for b.Loop() {
		if !PlainString(s) {
			b.Fatal("not plain")
		}
	}
}
