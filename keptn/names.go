package keptn

import "regexp"

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z][a-z0-9]*$`)

// Name limits from Keptn.
const (
	MaxProjectName = 200
	MaxServiceName = 43
	MaxStageName   = 200
)

// ValidateName checks a project, stage or service name the way Keptn does:
// lower-case letters, digits and dashes, starting with a letter and not ending
// with a dash.
func ValidateName(kind, name string, max int) error {
	if name == "" {
		return Errorf(CodeBadRequest, "%s name must not be empty", kind)
	}
	if len(name) > max {
		return Errorf(CodeBadRequest, "%s name %q is longer than %d characters", kind, name, max)
	}
	if !nameRE.MatchString(name) {
		return Errorf(CodeBadRequest, "%s name %q is invalid: use lower-case letters, digits and '-', start with a letter and end with a letter or digit", kind, name)
	}
	return nil
}
