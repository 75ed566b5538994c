package oneplane

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigURI is the resource that maps shipyard tasks to AppConfig
// deployments, at service, stage or project level.
const ConfigURI = "appconfig.yaml"

// Config file identity.
const (
	APIVersion = "baton.dev/v1"
	Kind       = "AppConfigTasks"
)

// TaskSpec says which deployment a shipyard task runs. Each field is a name
// or an id; DeploymentStrategy may name a predefined AppConfig.* strategy.
type TaskSpec struct {
	Application          string `json:"application"`
	Environment          string `json:"environment"`
	ConfigurationProfile string `json:"configurationProfile"`
	DeploymentStrategy   string `json:"deploymentStrategy"`
	Description          string `json:"description,omitempty"`
}

// Config is a parsed appconfig.yaml: deployments by shipyard task name.
type Config struct {
	Tasks map[string]TaskSpec
}

// ValidateResource checks an appconfig.yaml before it is stored.
func ValidateResource(content []byte) error {
	_, err := ParseConfig(content)
	return err
}

// lineError is a problem at a line of the file.
func lineError(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", n.Line, fmt.Sprintf(format, args...))
}

// ParseConfig decodes and validates an appconfig.yaml; errors name the line
// and the reason.
func ParseConfig(raw []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(raw)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line 1: the file must be a mapping with apiVersion, kind and tasks")
	}
	root := doc.Content[0]
	c := &Config{Tasks: map[string]TaskSpec{}}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "apiVersion":
			err = expectScalar(v, APIVersion)
		case "kind":
			err = expectScalar(v, Kind)
		case "tasks":
			err = parseTasks(v, c)
		default:
			err = lineError(k, "unknown field %q (apiVersion, kind, tasks)", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, f := range []string{"apiVersion", "kind", "tasks"} {
		if !seen[f] {
			return nil, lineError(root, "%s is required", f)
		}
	}
	return c, nil
}

func expectScalar(v *yaml.Node, want string) error {
	if v.Kind != yaml.ScalarNode || v.Value != want {
		return lineError(v, "must be %s", want)
	}
	return nil
}

func parseTasks(v *yaml.Node, c *Config) error {
	if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
		return lineError(v, "tasks must map at least one shipyard task name to a deployment")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, body := v.Content[i], v.Content[i+1]
		if name.Value == "" || strings.ContainsAny(name.Value, ". \t") {
			return lineError(name, "task name %q is not a shipyard task name", name.Value)
		}
		spec, err := parseSpec(name.Value, body)
		if err != nil {
			return err
		}
		c.Tasks[name.Value] = spec
	}
	return nil
}

func parseSpec(task string, v *yaml.Node) (TaskSpec, error) {
	var s TaskSpec
	if v.Kind != yaml.MappingNode {
		return s, lineError(v, "task %s: must be a mapping with application, environment, configurationProfile and deploymentStrategy", task)
	}
	fields := map[string]*string{
		"application": &s.Application, "environment": &s.Environment, "configurationProfile": &s.ConfigurationProfile,
		"deploymentStrategy": &s.DeploymentStrategy, "description": &s.Description,
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		dst, ok := fields[k.Value]
		if !ok {
			return s, lineError(k, "task %s: unknown field %q", task, k.Value)
		}
		if val.Kind != yaml.ScalarNode {
			return s, lineError(val, "task %s: %s must be a string", task, k.Value)
		}
		*dst = val.Value
	}
	for _, f := range []string{"application", "environment", "configurationProfile", "deploymentStrategy"} {
		if *fields[f] == "" {
			return s, lineError(v, "task %s: %s is required", task, f)
		}
	}
	return s, nil
}
