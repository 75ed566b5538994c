package lighthouse

import (
	"strings"
	"testing"
)

func TestValidateSLIFile(t *testing.T) {
	if err := ValidateSLIFile([]byte("spec_version: '1.0'\nindicators:\n  rt: max(x)\n")); err != nil {
		t.Errorf("valid file: %v", err)
	}
	for content, want := range map[string]string{
		"":                                   "empty",
		"indicators: {}\n":                   "line 1: indicators must map",
		"indicators:\n  rt: ''\n":            "line 2: indicator rt has an empty query",
		"indicator:\n  rt: x\n":              "line 1: field indicator not found",
		"indicators:\n  rt: [a, b]\n":        "line 2: cannot unmarshal",
		"spec_version: 1\nindicators: [x]\n": "line 2: cannot unmarshal",
	} {
		err := ValidateSLIFile([]byte(content))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", content, err, want)
		}
	}
}
