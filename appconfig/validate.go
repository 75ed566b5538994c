package appconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator types.
const (
	ValidatorJSONSchema = "JSON_SCHEMA"
	ValidatorLambda     = "LAMBDA"
)

var schemaCache sync.Map // schema text -> *jsonschema.Schema

// schemaURL names a validator's schema while it is compiled. It is not a
// file name: a relative name would be resolved against the server's working
// directory, and that path would show in error messages.
const schemaURL = "urn:appconfig:validator"

// compileSchema compiles a JSON_SCHEMA validator's content, cached by text.
func compileSchema(text string) (*jsonschema.Schema, error) {
	if s, ok := schemaCache.Load(text); ok {
		return s.(*jsonschema.Schema), nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, Errorf(CodeBadRequest, "JSON_SCHEMA validator content is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{}) // a validator may not read files or URLs on the server
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, Errorf(CodeBadRequest, "JSON_SCHEMA validator: %s", withoutSchemaURL(err.Error()))
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, Errorf(CodeBadRequest, "JSON_SCHEMA validator is not a valid schema: %s", withoutSchemaURL(err.Error()))
	}
	schemaCache.Store(text, sch)
	return sch, nil
}

// noLoader refuses every external reference ($ref to file:// or http://):
// the default loader would read files of the server.
type noLoader struct{}

// Load implements jsonschema.URLLoader.
func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external references are not allowed in validators (%s)", url)
}

func checkValidators(vs []Validator) error {
	if len(vs) > MaxValidators {
		return Errorf(CodeBadRequest, "at most %d validators are allowed", MaxValidators)
	}
	for _, v := range vs {
		if len(v.Content) > 32768 {
			return Errorf(CodeBadRequest, "validator content must be at most 32768 characters")
		}
		switch v.Type {
		case ValidatorJSONSchema:
			if _, err := compileSchema(v.Content); err != nil {
				return err
			}
		case ValidatorLambda:
			// Accepted so that infrastructure code applies; content that
			// would need it is refused (see lambdaValidator).
			if !lambdaArn.MatchString(v.Content) {
				return Errorf(CodeBadRequest, "LAMBDA validator content must be the ARN of a Lambda function, not %q", v.Content)
			}
		default:
			return Errorf(CodeBadRequest, "validator Type must be JSON_SCHEMA or LAMBDA")
		}
	}
	return nil
}

// lambdaArn matches a Lambda function ARN, optionally with a version or alias.
var lambdaArn = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64}(:(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$`)

// lambdaValidator refuses content of a profile with a LAMBDA validator:
// baton cannot call AWS Lambda, and skipping the check would serve content
// nobody validated.
func lambdaValidator(p *ConfigurationProfile) error {
	for _, v := range p.Validators {
		if v.Type == ValidatorLambda {
			return Errorf(CodeBadRequest,
				"configuration profile %s has a LAMBDA validator (%s): baton cannot call AWS Lambda, so it cannot validate content for this profile; use a JSON_SCHEMA validator",
				p.ID, v.Content)
		}
	}
	return nil
}

// invalid returns the BadRequestException of content that failed a check.
func invalid(typ, reason string) *Error {
	return &Error{Code: CodeBadRequest, Reason: "InvalidConfiguration",
		Message: "configuration failed validation: " + reason,
		Details: &ErrorDetails{InvalidConfiguration: []InvalidConfigurationDetail{{Type: typ, Reason: reason}}}}
}

// withoutSchemaURL drops the schema's internal name from a message.
// It also puts a multi-line message on one line.
func withoutSchemaURL(msg string) string {
	msg = strings.ReplaceAll(msg, schemaURL+"#", "#")
	msg = strings.ReplaceAll(msg, schemaURL, "the schema")
	return strings.Join(strings.Fields(msg), " ")
}

// schemaFailure is the BadRequestException of content a JSON Schema
// refused: one InvalidConfiguration detail per failed constraint, with the
// constraint (keyword), the location in the content (JSON pointer) and the
// reason.
func schemaFailure(err error) *Error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return invalid(ValidatorJSONSchema, withoutSchemaURL(err.Error()))
	}
	var details []InvalidConfigurationDetail
	var walk func(jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		for _, c := range u.Errors {
			walk(c)
		}
		if len(u.Errors) > 0 || u.Error == nil {
			return
		}
		d := InvalidConfigurationDetail{Type: ValidatorJSONSchema, Location: u.InstanceLocation,
			Reason: withoutSchemaURL(u.Error.String())}
		if d.Location == "" {
			d.Location = "/"
		}
		if i := strings.LastIndexByte(u.KeywordLocation, '/'); i >= 0 {
			d.Constraint = u.KeywordLocation[i+1:]
		}
		details = append(details, d)
	}
	walk(*ve.DetailedOutput())
	reasons := make([]string, len(details))
	for i, d := range details {
		reasons[i] = fmt.Sprintf("at %s: %s", d.Location, d.Reason)
	}
	return &Error{Code: CodeBadRequest, Reason: "InvalidConfiguration",
		Message: "configuration failed validation: " + strings.Join(reasons, "; "),
		Details: &ErrorDetails{InvalidConfiguration: details}}
}

// ValidateContent runs p's validators (and, for feature flags, the flag
// schema) on content.
func ValidateContent(p *ConfigurationProfile, content []byte) error {
	if err := lambdaValidator(p); err != nil {
		return err
	}
	if p.Type == TypeFeatureFlags {
		if _, err := parseFlags(content); err != nil {
			return invalid("FEATURE_FLAGS", err.Error())
		}
	}
	for _, v := range p.Validators {
		if v.Type != ValidatorJSONSchema {
			continue
		}
		sch, err := compileSchema(v.Content)
		if err != nil {
			return err
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(content))
		if err != nil {
			return invalid(ValidatorJSONSchema, "content is not JSON: "+err.Error())
		}
		if err := sch.Validate(inst); err != nil {
			return schemaFailure(err)
		}
	}
	return nil
}

// featureFlags is the stored AWS.AppConfig.FeatureFlags document.
type featureFlags struct {
	Version string                                `json:"version"`
	Flags   map[string]map[string]json.RawMessage `json:"flags"`
	Values  map[string]map[string]json.RawMessage `json:"values"`
}

var flagName = regexp.MustCompile(`^[a-z][a-zA-Z\d_-]{0,63}$`)

func parseFlags(content []byte) (*featureFlags, error) {
	var ff featureFlags
	dec := json.NewDecoder(bytes.NewReader(content))
	if err := dec.Decode(&ff); err != nil {
		return nil, fmt.Errorf("feature flags must be a JSON object with version, flags and values: %v", err)
	}
	if ff.Version != "1" {
		return nil, fmt.Errorf(`feature flags "version" must be "1"`)
	}
	if ff.Flags == nil {
		return nil, fmt.Errorf(`feature flags need a "flags" object`)
	}
	for name := range ff.Flags {
		if !flagName.MatchString(name) {
			return nil, fmt.Errorf("flag name %q must match %s", name, flagName)
		}
	}
	for name, v := range ff.Values {
		if _, ok := ff.Flags[name]; !ok {
			return nil, fmt.Errorf("values has flag %q that is not in flags", name)
		}
		if e, ok := v["enabled"]; ok {
			var b bool
			if json.Unmarshal(e, &b) != nil {
				return nil, fmt.Errorf("values.%s.enabled must be a boolean", name)
			}
		}
	}
	return &ff, nil
}

// TransformFlags returns the form appconfigdata serves a feature flags
// document in: one object per flag with "enabled" and its attribute values,
// without the flag definitions and "_"-prefixed metadata.
func TransformFlags(content []byte) ([]byte, error) {
	ff, err := parseFlags(content)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ff.Flags))
	for n := range ff.Flags {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]map[string]json.RawMessage, len(names))
	for _, n := range names {
		v := map[string]json.RawMessage{"enabled": json.RawMessage("false")}
		for k, raw := range ff.Values[n] {
			if !strings.HasPrefix(k, "_") {
				v[k] = raw
			}
		}
		out[n] = v
	}
	return json.Marshal(out)
}
