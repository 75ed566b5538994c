package webhook

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Keys of a v1beta1 request and of one of its headers.
var (
	requestKeys = []string{"url", "method", "headers", "payload", "options"}
	headerKeys  = []string{"key", "value"}
)

// checkRequestKeys refuses keys of a v1beta1 request (and of its headers)
// that Keptn's WebhookConfig does not define, naming the line: requests are
// decoded from yaml.Node, which the strict decoder does not check.
func checkRequestKeys(node *yaml.Node) error {
	if err := checkKeys(node, "a request", requestKeys); err != nil {
		return err
	}
	for i := 0; node.Kind == yaml.MappingNode && i+1 < len(node.Content); i += 2 {
		if k, v := node.Content[i], node.Content[i+1]; k.Value == "headers" && v.Kind == yaml.SequenceNode {
			for _, h := range v.Content {
				if err := checkKeys(h, "a header", headerKeys); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkKeys refuses a key of the mapping node that is not in allowed.
func checkKeys(node *yaml.Node, what string, allowed []string) error {
	if node.Kind != yaml.MappingNode {
		return nil // the decoder reports the wrong shape
	}
	for i := 0; i < len(node.Content); i += 2 {
		if k := node.Content[i]; !slices.Contains(allowed, k.Value) {
			return fmt.Errorf("line %d: unknown key %q (%s has %s)", k.Line, k.Value, what, strings.Join(allowed, ", "))
		}
	}
	return nil
}
