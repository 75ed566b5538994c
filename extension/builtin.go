package extension

import (
	"github.com/batonhq/baton/appconfig"
)

// AWS-authored extension ids.
const (
	SQSNotifications         = "AWS.AppConfig.DeploymentNotificationsToSqs"
	SNSNotifications         = "AWS.AppConfig.DeploymentNotificationsToSns"
	EventBridgeNotifications = "AWS.AppConfig.DeploymentNotificationsToEventBridge"
)

// notificationPoints are the action points of the AWS-authored notification extensions.
var notificationPoints = []appconfig.ActionPoint{
	appconfig.OnDeploymentStart, appconfig.OnDeploymentComplete, appconfig.OnDeploymentRolledBack,
}

func notification(id, name, desc, param, paramDesc string) *Extension {
	e := &Extension{ID: id, Name: name, VersionNumber: 1, Description: desc,
		Actions: map[appconfig.ActionPoint][]Action{}}
	uri := ""
	if param != "" {
		e.Parameters = map[string]Parameter{param: {Description: paramDesc, Required: true}}
		uri = "${" + param + "}"
	}
	for _, p := range notificationPoints {
		e.Actions[p] = []Action{{Name: typeOf(p) + "Notification", URI: uri}}
	}
	return e
}

// builtins are the AWS-authored extensions, listed and usable without
// creating them. Only the SQS one can be associated: baton has no SNS and no
// EventBridge, so associating those is refused with a clear error.
var builtins = []*Extension{
	notification(SQSNotifications, "AppConfig deployment events to Amazon SQS",
		"Sends a message to the SQS queue queueArn when a deployment starts, completes or rolls back.",
		"queueArn", "The ARN of the SQS queue that receives the deployment events."),
	notification(SNSNotifications, "AppConfig deployment events to Amazon SNS",
		"Publishes deployment events to an SNS topic. baton has no SNS: associating it is refused.",
		"topicArn", "The ARN of the SNS topic."),
	notification(EventBridgeNotifications, "AppConfig deployment events to Amazon EventBridge",
		"Sends deployment events to the default event bus. baton has no EventBridge: associating it is refused.",
		"", ""),
}

// builtin returns the AWS-authored extension with id, name or ARN ident
// (of any region).
func builtin(ident string) *Extension {
	if id, v, ok := parseExtensionArn(ident); ok && v == 1 {
		ident = id
	}
	for _, e := range builtins {
		if ident == e.ID || ident == e.Name {
			return e
		}
	}
	return nil
}

// usable refuses associating the AWS-authored extensions baton cannot run.
func usable(e *Extension) error {
	if e.ID == SNSNotifications || e.ID == EventBridgeNotifications {
		return appconfig.Errorf(appconfig.CodeBadRequest,
			"%s cannot be associated: baton has no SNS or EventBridge to deliver to; use %s or a custom extension with an https Uri",
			e.ID, SQSNotifications)
	}
	return nil
}

// actionURI resolves an action's Uri, substituting ${param} from the
// association's parameters (the AWS-authored SQS extension's queueArn).
func actionURI(a Action, params map[string]string) string {
	if len(a.URI) > 3 && a.URI[0] == '$' && a.URI[1] == '{' && a.URI[len(a.URI)-1] == '}' {
		return params[a.URI[2:len(a.URI)-1]]
	}
	return a.URI
}
