package extension

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/batonhq/baton/appconfig"
)

// Document kinds in the AppConfig store.
const (
	KindExtension   appconfig.Kind = "extension"
	KindAssociation appconfig.Kind = "extensionassociation"
)

// Action is what an extension does at one action point.
type Action struct {
	Name        string `json:"Name,omitempty"`
	Description string `json:"Description,omitempty"`
	URI         string `json:"Uri,omitempty"`
	RoleArn     string `json:"RoleArn,omitempty"`
}

// Parameter declares a parameter an association (or a deployment) supplies.
type Parameter struct {
	Description string `json:"Description,omitempty"`
	Required    bool   `json:"Required"`
	Dynamic     bool   `json:"Dynamic"`
}

// Extension is one version of an extension.
type Extension struct {
	ID            string                             `json:"Id"`
	Name          string                             `json:"Name"`
	VersionNumber int                                `json:"VersionNumber"`
	Arn           string                             `json:"Arn"`
	Description   string                             `json:"Description,omitempty"`
	Actions       map[appconfig.ActionPoint][]Action `json:"Actions"`
	Parameters    map[string]Parameter               `json:"Parameters,omitempty"`
}

// stored is the document of a custom extension: all its versions.
type stored struct {
	ID       string       `json:"Id"`
	Name     string       `json:"Name"`
	Versions []*Extension `json:"Versions"`
}

func (s *stored) version(n int) *Extension {
	for _, v := range s.Versions {
		if v.VersionNumber == n {
			return v
		}
	}
	return nil
}

func (s *stored) latest() *Extension { return s.Versions[len(s.Versions)-1] }

// Association attaches an extension version to an application, environment
// or configuration profile.
type Association struct {
	ID                     string            `json:"Id"`
	ExtensionArn           string            `json:"ExtensionArn"`
	ResourceArn            string            `json:"ResourceArn"`
	Arn                    string            `json:"Arn"`
	Parameters             map[string]string `json:"Parameters"`
	ExtensionVersionNumber int               `json:"ExtensionVersionNumber"`
	// ExtensionID is the extension's id (kept for lookups; not on the wire).
	ExtensionID string `json:"-"`
}

// storedAssociation keeps ExtensionID in the document.
type storedAssociation struct {
	*Association
	ExtensionID *string `json:"_extensionId"`
}

// extensionKey is the resource part of the ARN of version n of the
// extension id (the key its tags are stored under).
func extensionKey(id string, n int) string { return fmt.Sprintf("extension/%s/%d", id, n) }

// associationKey is the resource part of the ARN of association id.
func associationKey(id string) string { return "extensionassociation/" + id }

// arn returns the ARN of extension version e: AWS-authored ones have no
// account.
func (s *Service) arn(e *Extension) string {
	if builtin(e.ID) != nil {
		return "arn:aws:appconfig:" + s.arns.Region + "::" + extensionKey(e.ID, 1)
	}
	return s.arns.For(extensionKey(e.ID, e.VersionNumber))
}

// shown returns a copy of e with its ARN, as the API shows it.
func (s *Service) shown(e *Extension) *Extension {
	c := *e
	c.Arn = s.arn(e)
	return &c
}

// parseExtensionArn splits an extension ARN into id and version.
func parseExtensionArn(s string) (id string, version int, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "appconfig" {
		return "", 0, false
	}
	seg := strings.Split(parts[5], "/")
	if len(seg) != 3 || seg[0] != "extension" {
		return "", 0, false
	}
	if _, err := fmt.Sscan(seg[2], &version); err != nil || version < 1 {
		return "", 0, false
	}
	return seg[1], version, true
}

// Kinds of action target.
const (
	TargetQueue = "sqs"
	TargetHTTP  = "http"
)

// targetKind is targetKind that also refuses plain http to hosts that are
// not allow-listed.
func (s *Service) targetKind(uri string) (string, error) {
	kind, err := targetKind(uri)
	if err == nil && kind == TargetHTTP {
		err = s.checkPlain(uri)
	}
	return kind, err
}

// checkPlain refuses an http:// uri whose host is not allow-listed.
func (s *Service) checkPlain(uri string) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return appconfig.Errorf(appconfig.CodeBadRequest, "Uri %q is not a URL", uri)
	}
	if u.Scheme == "http" && !s.plain(u.Host) {
		return appconfig.Errorf(appconfig.CodeBadRequest,
			"Uri %s: plain http is only allowed to targets on the allow-list (--allow-webhook-target); use https", uri)
	}
	return nil
}

// targetKind classifies an action Uri: an SQS queue ARN or an http(s) URL.
func targetKind(uri string) (string, error) {
	switch {
	case strings.HasPrefix(uri, "arn:aws:sqs:"):
		return TargetQueue, nil
	case strings.HasPrefix(uri, "https://"), strings.HasPrefix(uri, "http://"):
		return TargetHTTP, nil
	case strings.HasPrefix(uri, "arn:aws:lambda:"):
		return "", appconfig.Errorf(appconfig.CodeBadRequest,
			"Uri %s: baton cannot invoke AWS Lambda; give the function's https URL instead (docs/extensions.md describes the request and response)", uri)
	case strings.HasPrefix(uri, "arn:aws:sns:"), strings.HasPrefix(uri, "arn:aws:events:"):
		return "", appconfig.Errorf(appconfig.CodeBadRequest,
			"Uri %s: baton has no SNS or EventBridge; use an SQS queue ARN or an https URL", uri)
	}
	return "", appconfig.Errorf(appconfig.CodeBadRequest, "Uri %q must be an SQS queue ARN or an https URL", uri)
}

// synchronous reports whether actions at p must answer (PRE_* and AT_DEPLOYMENT_TICK).
func synchronous(p appconfig.ActionPoint) bool {
	return p == appconfig.PreCreateHostedConfigurationVersion || p == appconfig.PreStartDeployment ||
		p == appconfig.AtDeploymentTick
}

var allPoints = []appconfig.ActionPoint{
	appconfig.PreCreateHostedConfigurationVersion, appconfig.PreStartDeployment, appconfig.AtDeploymentTick,
	appconfig.OnDeploymentStart, appconfig.OnDeploymentStep, appconfig.OnDeploymentBaking,
	appconfig.OnDeploymentComplete, appconfig.OnDeploymentRolledBack,
}

// typeOf is the PascalCase event Type of an action point (OnDeploymentStart).
func typeOf(p appconfig.ActionPoint) string {
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(string(p)), "_") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
