package appconfig

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
)

// DefaultRegion and DefaultAccount are the region and account of baton's
// ARNs unless configured (baton serve --aws-region, --aws-account).
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// NewID returns a 7-character [a-z0-9] id, the shape AppConfig ids have.
func NewID() string {
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// ARNs makes the ARNs of one region and account. Stored data never holds
// them: tags and associations are keyed by the resource part of the ARN
// (see ApplicationKey), so changing the region or account of a data
// directory changes every ARN consistently.
type ARNs struct {
	Region  string
	Account string
}

// DefaultARNs returns the ARNs of DefaultRegion and DefaultAccount.
func DefaultARNs() ARNs { return ARNs{Region: DefaultRegion, Account: DefaultAccount} }

// For returns the ARN of the resource key (such as ApplicationKey(id)).
func (a ARNs) For(key string) string {
	return "arn:aws:appconfig:" + a.Region + ":" + a.Account + ":" + key
}

// Application returns the ARN of application app.
func (a ARNs) Application(app string) string { return a.For(ApplicationKey(app)) }

// Environment returns the ARN of environment env of app.
func (a ARNs) Environment(app, env string) string { return a.For(EnvironmentKey(app, env)) }

// Profile returns the ARN of configuration profile p of app.
func (a ARNs) Profile(app, p string) string { return a.For(ProfileKey(app, p)) }

// Strategy returns the ARN of deployment strategy id.
func (a ARNs) Strategy(id string) string { return a.For(StrategyKey(id)) }

// Deployment returns the ARN of deployment n of env.
func (a ARNs) Deployment(app, env string, n int) string { return a.For(DeploymentKey(app, env, n)) }

// Alarm returns the CloudWatch-style ARN of the alarm name.
func (a ARNs) Alarm(name string) string {
	return "arn:aws:cloudwatch:" + a.Region + ":" + a.Account + ":alarm:" + name
}

// AlarmArn returns the alarm ARN of name in DefaultRegion and
// DefaultAccount. Stores may fill Alarm.Arn with it; Service.Alarm and
// Service.Alarms replace it with the ARN of the configured region and
// account.
func AlarmArn(name string) string { return DefaultARNs().Alarm(name) }

// ApplicationKey is the resource part of application app's ARN, the key
// its tags and extension associations are stored under.
func ApplicationKey(app string) string { return "application/" + app }

// EnvironmentKey is the resource part of environment env's ARN.
func EnvironmentKey(app, env string) string { return "application/" + app + "/environment/" + env }

// ProfileKey is the resource part of configuration profile p's ARN.
func ProfileKey(app, p string) string { return "application/" + app + "/configurationprofile/" + p }

// StrategyKey is the resource part of deployment strategy id's ARN.
func StrategyKey(id string) string { return "deploymentstrategy/" + id }

// DeploymentKey is the resource part of deployment n's ARN.
func DeploymentKey(app, env string, n int) string {
	return fmt.Sprintf("application/%s/environment/%s/deployment/%d", app, env, n)
}

// ResourceRef is what an AppConfig ARN points at.
type ResourceRef struct {
	Kind    string // application, environment, configurationprofile, deploymentstrategy, deployment, extension, extensionassociation
	App     string
	ID      string // the resource's own id (deployment: number)
	Env     string // for deployments
	Region  string
	Account string
	// Key is the resource part of the ARN (the key tags are stored under).
	Key string
}

// arnPattern is the model's Arn shape (botocore appconfig 2019-10-09).
var arnPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:[a-z]+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:[a-zA-Z0-9-_/:.]+$`)

// ParseArn parses an AppConfig resource ARN.
func ParseArn(s string) (ResourceRef, error) {
	if len(s) < 20 || len(s) > 2048 || !arnPattern.MatchString(s) {
		return ResourceRef{}, Errorf(CodeBadRequest, "%q is not a valid ARN", s)
	}
	parts := strings.SplitN(s, ":", 6)
	if parts[2] != "appconfig" {
		return ResourceRef{}, Errorf(CodeBadRequest, "%q is not an AppConfig ARN", s)
	}
	ref, ok := parseResource(strings.Split(parts[5], "/"))
	if !ok {
		return ResourceRef{}, Errorf(CodeBadRequest, "%q is not an ARN of a taggable AppConfig resource", s)
	}
	ref.Region, ref.Account, ref.Key = parts[3], parts[4], parts[5]
	return ref, nil
}

func parseResource(seg []string) (ResourceRef, bool) {
	for _, s := range seg {
		if s == "" {
			return ResourceRef{}, false
		}
	}
	switch {
	case len(seg) == 2 && seg[0] == "application":
		return ResourceRef{Kind: "application", App: seg[1], ID: seg[1]}, true
	case len(seg) == 4 && seg[0] == "application" && seg[2] == "environment":
		return ResourceRef{Kind: "environment", App: seg[1], ID: seg[3]}, true
	case len(seg) == 4 && seg[0] == "application" && seg[2] == "configurationprofile":
		return ResourceRef{Kind: "configurationprofile", App: seg[1], ID: seg[3]}, true
	case len(seg) == 6 && seg[0] == "application" && seg[2] == "environment" && seg[4] == "deployment":
		return ResourceRef{Kind: "deployment", App: seg[1], Env: seg[3], ID: seg[5]}, true
	case len(seg) == 2 && seg[0] == "deploymentstrategy":
		return ResourceRef{Kind: "deploymentstrategy", ID: seg[1]}, true
	case len(seg) == 3 && seg[0] == "extension": // extension/<id>/<version>
		return ResourceRef{Kind: "extension", ID: seg[1]}, true
	case len(seg) == 2 && seg[0] == "extensionassociation":
		return ResourceRef{Kind: "extensionassociation", ID: seg[1]}, true
	}
	return ResourceRef{}, false
}

// Resolve parses arn and checks that it names a resource of this account:
// an ARN of another account names nothing baton has
// (ResourceNotFoundException). Any region is accepted: baton is one region
// under every name its clients sign for.
func (a ARNs) Resolve(arn string) (ResourceRef, error) {
	ref, err := ParseArn(arn)
	if err != nil {
		return ref, err
	}
	if ref.Account != a.Account && !(ref.Kind == "extension" && ref.Account == "") {
		return ref, &Error{Code: CodeNotFound, ResourceName: arn,
			Message: fmt.Sprintf("resource %s not found: this server is account %s", arn, a.Account)}
	}
	return ref, nil
}

// AlarmName returns the alarm name of a CloudWatch alarm ARN
// (arn:aws:cloudwatch:<region>:<account>:alarm:<name>).
func AlarmName(alarmArn string) (string, error) {
	parts := strings.SplitN(alarmArn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "cloudwatch" || parts[5] != "alarm" || parts[6] == "" {
		return "", Errorf(CodeBadRequest, "AlarmArn %q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)", alarmArn)
	}
	return parts[6], nil
}
