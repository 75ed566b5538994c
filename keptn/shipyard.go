package keptn

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Shipyard is a project's delivery definition (spec.keptn.sh/0.2.x).
type Shipyard struct {
	APIVersion string           `yaml:"apiVersion" json:"apiVersion"`
	Kind       string           `yaml:"kind" json:"kind"`
	Metadata   ShipyardMetadata `yaml:"metadata" json:"metadata"`
	Spec       ShipyardSpec     `yaml:"spec" json:"spec"`
}

// ShipyardMetadata is the shipyard's metadata block.
type ShipyardMetadata struct {
	Name string `yaml:"name" json:"name"`
}

// ShipyardSpec lists the stages.
type ShipyardSpec struct {
	Stages []Stage `yaml:"stages" json:"stages"`
}

// Stage is a named step of delivery holding sequences.
type Stage struct {
	Name      string     `yaml:"name" json:"name"`
	Sequences []Sequence `yaml:"sequences" json:"sequences"`
}

// Sequence is an ordered list of tasks, optionally triggered by another
// sequence's finished event.
type Sequence struct {
	Name        string    `yaml:"name" json:"name"`
	TriggeredOn []Trigger `yaml:"triggeredOn,omitempty" json:"triggeredOn,omitempty"`
	Tasks       []Task    `yaml:"tasks" json:"tasks"`
}

// Trigger chains a sequence to "<stage>.<sequence>.finished".
type Trigger struct {
	Event    string   `yaml:"event" json:"event"`
	Selector Selector `yaml:"selector,omitempty" json:"selector,omitempty"`
}

// Selector filters a trigger on the finished sequence's result.
type Selector struct {
	Match map[string]string `yaml:"match,omitempty" json:"match,omitempty"`
}

// Task is one step of a sequence.
type Task struct {
	Name           string         `yaml:"name" json:"name"`
	TriggeredAfter string         `yaml:"triggeredAfter,omitempty" json:"triggeredAfter,omitempty"`
	Properties     map[string]any `yaml:"properties,omitempty" json:"properties,omitempty"`

	// FinishedTimeout (baton's addition) fails the task when it has not
	// finished this long after its first .started.
	FinishedTimeout string `yaml:"finishedTimeout,omitempty" json:"finishedTimeout,omitempty"`
}

// Stage returns the stage with the given name, or nil.
func (s *Shipyard) Stage(name string) *Stage {
	for i := range s.Spec.Stages {
		if s.Spec.Stages[i].Name == name {
			return &s.Spec.Stages[i]
		}
	}
	return nil
}

// Sequence returns the stage's sequence with the given name, or nil.
func (st *Stage) Sequence(name string) *Sequence {
	for i := range st.Sequences {
		if st.Sequences[i].Name == name {
			return &st.Sequences[i]
		}
	}
	return nil
}

// ParentStages returns, for each stage, the stages whose sequences trigger it,
// in shipyard order.
func (s *Shipyard) ParentStages() map[string][]string {
	parents := make(map[string][]string)
	for _, st := range s.Spec.Stages {
		seen := map[string]bool{}
		for _, seq := range st.Sequences {
			for _, tr := range seq.TriggeredOn {
				from, _, ok := strings.Cut(tr.Event, ".")
				if ok && from != st.Name && !seen[from] {
					seen[from] = true
					parents[st.Name] = append(parents[st.Name], from)
				}
			}
		}
	}
	return parents
}

// ParseShipyard decodes and validates a shipyard. Errors are *Error with
// CodeBadRequest and say what is wrong and where.
func ParseShipyard(raw []byte) (*Shipyard, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, Errorf(CodeBadRequest, "invalid shipyard: the document is empty")
	}
	var s Shipyard
	if err := DecodeStrictYAML(raw, &s); err != nil {
		return nil, Errorf(CodeBadRequest, "invalid shipyard: %v", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the shipyard the way Keptn does, and a little more.
func (s *Shipyard) Validate() error {
	bad := func(format string, args ...any) error {
		return Errorf(CodeBadRequest, "invalid shipyard: "+format, args...)
	}
	if err := validateAPIVersion(s.APIVersion); err != nil {
		return bad("%v", err)
	}
	if s.Kind != "Shipyard" {
		return bad("kind must be \"Shipyard\", not %q", s.Kind)
	}
	if len(s.Spec.Stages) == 0 {
		return bad("spec.stages must list at least one stage")
	}
	stages := map[string]bool{}
	for i, st := range s.Spec.Stages {
		if err := ValidateName("stage", st.Name, MaxStageName); err != nil {
			return bad("spec.stages[%d]: %v", i, err)
		}
		if stages[st.Name] {
			return bad("spec.stages[%d]: stage %q is defined twice", i, st.Name)
		}
		stages[st.Name] = true
		seqs := map[string]bool{}
		for j, seq := range st.Sequences {
			where := fmt.Sprintf("stage %q, sequences[%d]", st.Name, j)
			if err := validateDotless("sequence", seq.Name); err != nil {
				return bad("%s: %v", where, err)
			}
			if seqs[seq.Name] {
				return bad("%s: sequence %q is defined twice", where, seq.Name)
			}
			seqs[seq.Name] = true
			for k, tr := range seq.TriggeredOn {
				parts := strings.Split(tr.Event, ".")
				if len(parts) != 3 || parts[2] != "finished" || parts[0] == "" || parts[1] == "" {
					return bad("%s, triggeredOn[%d]: event must be \"<stage>.<sequence>.finished\", not %q", where, k, tr.Event)
				}
			}
			for k, t := range seq.Tasks {
				if err := validateDotless("task", t.Name); err != nil {
					return bad("%s, tasks[%d]: %v", where, k, err)
				}
				if t.FinishedTimeout != "" {
					if d, err := time.ParseDuration(t.FinishedTimeout); err != nil || d <= 0 {
						return bad("%s, task %q: finishedTimeout %q is not a positive duration such as \"30m\"", where, t.Name, t.FinishedTimeout)
					}
				}
				if t.TriggeredAfter != "" {
					if d, err := time.ParseDuration(t.TriggeredAfter); err != nil || d < 0 {
						return bad("%s, task %q: triggeredAfter %q is not a duration such as \"10m\"", where, t.Name, t.TriggeredAfter)
					}
				}
			}
		}
	}
	return s.validateTriggers()
}

// validateTriggers refuses a triggeredOn that names a stage or sequence the
// shipyard does not have: it could never fire.
func (s *Shipyard) validateTriggers() error {
	for _, st := range s.Spec.Stages {
		for _, seq := range st.Sequences {
			for k, tr := range seq.TriggeredOn {
				from, rest, _ := strings.Cut(tr.Event, ".")
				name, _, _ := strings.Cut(rest, ".")
				where := fmt.Sprintf("stage %q, sequence %q, triggeredOn[%d]", st.Name, seq.Name, k)
				src := s.Stage(from)
				if src == nil {
					return Errorf(CodeBadRequest, "invalid shipyard: %s: event %q names stage %q, which the shipyard does not define", where, tr.Event, from)
				}
				if src.Sequence(name) == nil {
					return Errorf(CodeBadRequest, "invalid shipyard: %s: event %q names sequence %q, which stage %q does not define", where, tr.Event, name, from)
				}
			}
		}
	}
	return nil
}

func validateDotless(kind, name string) error {
	if name == "" {
		return fmt.Errorf("%s name must not be empty", kind)
	}
	if strings.ContainsAny(name, ". \t\n/") {
		return fmt.Errorf("%s name %q must not contain dots, slashes or spaces", kind, name)
	}
	return nil
}

// validateAPIVersion accepts spec.keptn.sh/X.Y[.Z] with X.Y >= 0.2.
func validateAPIVersion(v string) error {
	ver, ok := strings.CutPrefix(v, "spec.keptn.sh/")
	if !ok {
		return fmt.Errorf("apiVersion must be spec.keptn.sh/0.2.x, not %q", v)
	}
	parts := strings.Split(ver, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("apiVersion %q: version must be semantic, such as 0.2.4", v)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return fmt.Errorf("apiVersion %q: version must be semantic, such as 0.2.4", v)
		}
		nums[i] = n
	}
	if nums[0] == 0 && nums[1] < 2 {
		return fmt.Errorf("apiVersion %q: baton supports shipyard 0.2.0 and later", v)
	}
	return nil
}
