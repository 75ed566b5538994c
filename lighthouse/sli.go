package lighthouse

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SLIFile is an SLI provider's sli.yaml: indicator name → query.
type SLIFile struct {
	SpecVersion string            `yaml:"spec_version"`
	Indicators  map[string]string `yaml:"indicators"`
}

// ParseSLIFile decodes an sli.yaml leniently (unknown keys are ignored, as
// Keptn did); a file without indicators is an error.
func ParseSLIFile(raw []byte) (*SLIFile, error) {
	var f SLIFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, errors.New(yamlReason(err))
	}
	if len(f.Indicators) == 0 {
		return nil, errors.New("missing required field: indicators")
	}
	return &f, nil
}

// ValidateSLIFile checks an sli.yaml before it is stored: YAML and types,
// no unknown keys, at least one indicator, and no empty query. Errors name
// the line.
func ValidateSLIFile(raw []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return errors.New(yamlReason(err))
	}
	if len(root.Content) == 0 {
		return errors.New("the document is empty")
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var f SLIFile
	if err := dec.Decode(&f); err != nil {
		return errors.New(yamlReason(err))
	}
	doc := root.Content[0]
	if len(f.Indicators) == 0 {
		return fmt.Errorf("line %d: indicators must map at least one SLI name to a query", doc.Line)
	}
	ind := mapValue(doc, "indicators")
	for i := 0; ind != nil && i+1 < len(ind.Content); i += 2 {
		k, v := ind.Content[i], ind.Content[i+1]
		if strings.TrimSpace(k.Value) == "" {
			return fmt.Errorf("line %d: an indicator needs a name", k.Line)
		}
		if strings.TrimSpace(v.Value) == "" {
			return fmt.Errorf("line %d: indicator %s has an empty query", v.Line, k.Value)
		}
	}
	return nil
}
