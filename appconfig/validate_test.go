package appconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// Validator failures name the content's locations and the failed
// constraints, never the server's working directory or files.
func TestValidatorErrorsShowNoServerPaths(t *testing.T) {
	wd, _ := os.Getwd()
	p := &ConfigurationProfile{Type: TypeFreeform, Validators: []Validator{{Type: ValidatorJSONSchema,
		Content: `{"type":"object","properties":{"color":{"type":"string"},"size":{"type":"integer","minimum":1}},"required":["color"]}`}}}
	err := ValidateContent(p, []byte(`{"size":0}`))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadRequest || e.Reason != "InvalidConfiguration" || e.Details == nil {
		t.Fatalf("got %#v", err)
	}
	got := map[string]string{}
	for _, d := range e.Details.InvalidConfiguration {
		got[d.Location+" "+d.Constraint] = d.Type
	}
	want := map[string]string{"/ required": ValidatorJSONSchema, "/size minimum": ValidatorJSONSchema}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("details (-got +want):\n%s\n%+v", diff, e.Details)
	}
	for _, bad := range []string{"file:", wd, schemaURL} {
		if strings.Contains(e.Message, bad) || strings.Contains(fmt.Sprint(e.Details), bad) {
			t.Errorf("error mentions %q: %s %+v", bad, e.Message, e.Details)
		}
	}
	_, err = compileSchema(`{"type":"object","properties":{"a":{"$ref":"#/$defs/missing"}}}`)
	if err == nil || strings.Contains(err.Error(), "file:") || strings.Contains(err.Error(), wd) || strings.Contains(err.Error(), schemaURL) {
		t.Errorf("compile error: %v", err)
	}
}
