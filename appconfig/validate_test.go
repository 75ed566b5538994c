package appconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A validator cannot make baton read files or URLs: external references are
// refused, so nothing about the server's files leaks through the error.
func TestValidatorExternalReferencesRefused(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(secret, []byte(`{"type":"string"}`), 0o600)
	for _, ref := range []string{"file://" + secret, "file:///etc/passwd", "http://127.0.0.1:1/schema.json"} {
		_, err := compileSchema(`{"$ref":"` + ref + `"}`)
		if err == nil || !strings.Contains(err.Error(), "external references are not allowed") {
			t.Errorf("%s: %v", ref, err)
		}
	}
	if _, err := compileSchema(`{"type":"object","properties":{"a":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"number"}}}`); err != nil {
		t.Errorf("local reference refused: %v", err)
	}
}
