package keptn

import (
	"bytes"
	"errors"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeStrictYAML decodes the YAML document raw into v and refuses keys
// that v has no field for, so a typo ("task:" for "tasks:") is an error at
// upload instead of a setting silently ignored. Its errors are plain
// sentences naming the line (see YAMLMessage).
func DecodeStrictYAML(raw []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return errors.New(YAMLMessage(err))
	}
	return nil
}

var unknownField = regexp.MustCompile(`^(line \d+): field (.+) not found in type .*$`)

// YAMLMessage turns a yaml.v3 error into one line: the positions and causes
// joined with "; ", unknown keys as `line 9: unknown key "task"`, without
// Go type names.
func YAMLMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return strings.TrimPrefix(err.Error(), "yaml: ")
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = unknownField.ReplaceAllString(m, `$1: unknown key "$2"`)
	}
	return strings.Join(msgs, "; ")
}
