package extension

import (
	"strconv"

	"github.com/batonhq/baton/appconfig"
)

// Ref names an application, environment or configuration profile in a message.
type Ref struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// Content is configuration content in a function request.
type Content struct {
	ContentType    string `json:"ContentType,omitempty"`
	ContentVersion string `json:"ContentVersion,omitempty"`
	Content        []byte `json:"Content"` // base64 on the wire
}

// Message is the event every action receives: the body of a queue message
// (field for field what the AWS-authored SQS extension sends) and the
// request body of an HTTP function. DeploymentNumber is a string, as in the
// SQS and SNS samples; Description is null when the deployment has none.
type Message struct {
	InvocationID         string            `json:"InvocationId"`
	Parameters           map[string]string `json:"Parameters"`
	Application          Ref               `json:"Application"`
	Environment          *Ref              `json:"Environment,omitempty"`
	ConfigurationProfile Ref               `json:"ConfigurationProfile"`
	Description          *string           `json:"Description"`
	DeploymentNumber     string            `json:"DeploymentNumber,omitempty"`
	ConfigurationVersion string            `json:"ConfigurationVersion,omitempty"`
	Type                 string            `json:"Type"`

	// Function requests at PRE_* action points also carry the content.
	ContentType     string   `json:"ContentType,omitempty"`
	ContentVersion  string   `json:"ContentVersion,omitempty"`
	Content         []byte   `json:"Content,omitempty"`
	PreviousContent *Content `json:"PreviousContent,omitempty"`
}

// Response is what an HTTP function answers (docs/extensions.md).
type Response struct {
	// Content, base64, replaces the configuration (PRE_* only).
	Content []byte `json:"Content,omitempty"`
	// Error and Message refuse the action (PRE_*) or roll back (AT_DEPLOYMENT_TICK).
	Error   string `json:"Error,omitempty"`
	Message string `json:"Message,omitempty"`
	// Directive is CONTINUE or ROLL_BACK (AT_DEPLOYMENT_TICK).
	Directive   string `json:"Directive,omitempty"`
	Description string `json:"Description,omitempty"`
}

// names holds the resources a deployment message names.
type names struct {
	app     Ref
	env     *Ref
	profile Ref
}

func deploymentMessage(n names, d *appconfig.Deployment, p appconfig.ActionPoint, params map[string]string) Message {
	if params == nil {
		params = map[string]string{}
	}
	m := Message{InvocationID: appconfig.NewID(), Parameters: params, Application: n.app, Environment: n.env,
		ConfigurationProfile: n.profile, DeploymentNumber: strconv.Itoa(d.DeploymentNumber),
		ConfigurationVersion: d.ConfigurationVersion, Type: typeOf(p)}
	if d.Description != "" {
		m.Description = &d.Description
	}
	return m
}
