package appconfig

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Region and Account appear in the ARNs baton makes.
const (
	Region  = "us-east-1"
	Account = "000000000000"
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

func arn(resource string) string {
	return fmt.Sprintf("arn:aws:appconfig:%s:%s:%s", Region, Account, resource)
}

// ApplicationArn returns the ARN of application app.
func ApplicationArn(app string) string { return arn("application/" + app) }

// EnvironmentArn returns the ARN of environment env of app.
func EnvironmentArn(app, env string) string { return arn("application/" + app + "/environment/" + env) }

// ProfileArn returns the ARN of configuration profile p of app.
func ProfileArn(app, p string) string {
	return arn("application/" + app + "/configurationprofile/" + p)
}

// StrategyArn returns the ARN of deployment strategy id.
func StrategyArn(id string) string { return arn("deploymentstrategy/" + id) }

// DeploymentArn returns the ARN of deployment n of env.
func DeploymentArn(app, env string, n int) string {
	return arn(fmt.Sprintf("application/%s/environment/%s/deployment/%d", app, env, n))
}

// ResourceRef is what an AppConfig ARN points at.
type ResourceRef struct {
	Kind string // application, environment, configurationprofile, deploymentstrategy, deployment, extension, extensionassociation
	App  string
	ID   string // the resource's own id (deployment: number)
	Env  string // for deployments
}

// ParseArn parses an AppConfig resource ARN.
func ParseArn(s string) (ResourceRef, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "appconfig" {
		return ResourceRef{}, Errorf(CodeBadRequest, "%q is not an AppConfig ARN", s)
	}
	seg := strings.Split(parts[5], "/")
	switch {
	case len(seg) == 2 && seg[0] == "application":
		return ResourceRef{Kind: "application", App: seg[1], ID: seg[1]}, nil
	case len(seg) == 4 && seg[0] == "application" && seg[2] == "environment":
		return ResourceRef{Kind: "environment", App: seg[1], ID: seg[3]}, nil
	case len(seg) == 4 && seg[0] == "application" && seg[2] == "configurationprofile":
		return ResourceRef{Kind: "configurationprofile", App: seg[1], ID: seg[3]}, nil
	case len(seg) == 6 && seg[0] == "application" && seg[2] == "environment" && seg[4] == "deployment":
		return ResourceRef{Kind: "deployment", App: seg[1], Env: seg[3], ID: seg[5]}, nil
	case len(seg) == 2 && seg[0] == "deploymentstrategy":
		return ResourceRef{Kind: "deploymentstrategy", ID: seg[1]}, nil
	case len(seg) == 3 && seg[0] == "extension": // extension/<id>/<version>
		return ResourceRef{Kind: "extension", ID: seg[1]}, nil
	case len(seg) == 2 && seg[0] == "extensionassociation":
		return ResourceRef{Kind: "extensionassociation", ID: seg[1]}, nil
	}
	return ResourceRef{}, Errorf(CodeBadRequest, "%q is not an ARN of a taggable AppConfig resource", s)
}

// AlarmArn returns the CloudWatch-style ARN of the alarm name.
func AlarmArn(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", Region, Account, name)
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
