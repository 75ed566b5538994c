package extension_test

import (
	"fmt"
	"strings"
	"testing"

	"errors"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/smithy-go"

	"github.com/batonhq/baton/server"
)

const sqsExt = "AWS.AppConfig.DeploymentNotificationsToSqs"

// associate associates the AWS-authored SQS extension with resource.
func (e *env) associate(resource, queueArn string) *appconfig.CreateExtensionAssociationOutput {
	e.t.Helper()
	return must[*appconfig.CreateExtensionAssociationOutput](e.t)(e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String(sqsExt), ResourceIdentifier: &resource,
		Parameters: map[string]string{"queueArn": queueArn}}))
}

func arn(rest string) string { return "arn:aws:appconfig:us-east-1:000000000000:" + rest }

func body(inv, queueArn string, f fixture, envID, envName, desc, typ string) string {
	return fmt.Sprintf(`{"InvocationId":%q,"Parameters":{"queueArn":%q},"Application":{"Id":%q,"Name":"MyApp"},`+
		`"Environment":{"Id":%q,"Name":%q},"ConfigurationProfile":{"Id":%q,"Name":"MyConfigProfile"},`+
		`"Description":%s,"DeploymentNumber":"1","ConfigurationVersion":"1","Type":%q}`,
		inv, queueArn, f.app, envID, envName, f.profile, desc, typ)
}

func TestDeploymentNotificationsToSQS(t *testing.T) {
	e := start(t, server.Config{})
	f := e.fixture()
	url, qarn := e.queue("MySQSQueue", true)
	as := e.associate(arn("application/"+f.app), qarn)
	if len(*as.Id) != 7 || *as.Arn != arn("extensionassociation/"+*as.Id) ||
		*as.ExtensionArn != "arn:aws:appconfig:us-east-1::extension/"+sqsExt+"/1" || as.ExtensionVersionNumber != 1 {
		t.Fatalf("association %+v", as)
	}

	d := must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	if len(d.AppliedExtensions) != 1 || *d.AppliedExtensions[0].ExtensionAssociationId != *as.Id ||
		*d.AppliedExtensions[0].ExtensionId != sqsExt || d.AppliedExtensions[0].Parameters["queueArn"] != qarn {
		t.Fatalf("AppliedExtensions %+v", d.AppliedExtensions)
	}
	got := e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
	invs := invocations(got)
	if len(invs) != 2 {
		t.Fatalf("invocations %+v", invs)
	}
	for _, inv := range invs {
		if inv.ErrorCode != nil || *inv.Uri != qarn || *inv.ExtensionIdentifier != sqsExt || len(*inv.InvocationId) != 7 {
			t.Fatalf("invocation %+v", inv)
		}
	}
	msgs := e.receive(url, 2)
	want := []string{
		body(*invs[0].InvocationId, qarn, f, f.env, "MyEnv", "null", "OnDeploymentStart"),
		body(*invs[1].InvocationId, qarn, f, f.env, "MyEnv", "null", "OnDeploymentComplete"),
	}
	for i := range want {
		if msgs[i] != want[i] {
			t.Fatalf("message %d:\n got %s\nwant %s", i, msgs[i], want[i])
		}
	}

	t.Run("stop rolls back", func(t *testing.T) {
		d := must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.slow, "canary"))
		must[*appconfig.StopDeploymentOutput](t)(e.ac.StopDeployment(e.ctx, &appconfig.StopDeploymentInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, DeploymentNumber: &d.DeploymentNumber}))
		msgs := e.receive(url, 2)
		if !strings.Contains(msgs[0], `"Type":"OnDeploymentStart"`) || !strings.Contains(msgs[1], `"Type":"OnDeploymentRolledBack"`) ||
			!strings.Contains(msgs[1], `"Description":"canary","DeploymentNumber":"2"`) {
			t.Fatalf("messages %v", msgs)
		}
	})
}

func TestQueueWithoutPolicyGetsNothing(t *testing.T) {
	e := start(t, server.Config{})
	f := e.fixture()
	url, qarn := e.queue("closed", false)
	e.associate(arn("application/"+f.app), qarn)
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	got := e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
	invs := invocations(got)
	if len(invs) != 2 {
		t.Fatalf("invocations %+v", invs)
	}
	for _, inv := range invs {
		if aws.ToString(inv.ErrorCode) != "AccessDenied" || !strings.Contains(aws.ToString(inv.ErrorMessage), "appconfig.amazonaws.com") {
			t.Fatalf("invocation %+v", inv)
		}
	}
	e.empty(url)

	// A queue baton does not have, with no Amazon SQS configured.
	e.associate(arn("application/"+f.app), "arn:aws:sqs:us-east-1:000000000000:nowhere")
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	got = e.waitState(f.app, f.env, 2, types.DeploymentStateComplete)
	var codes []string
	for _, inv := range invocations(got) {
		codes = append(codes, aws.ToString(inv.ErrorCode))
	}
	if strings.Join(codes, ",") != "AccessDenied,QueueDoesNotExist,AccessDenied,QueueDoesNotExist" {
		t.Fatalf("error codes %v", codes)
	}
}

func TestAssociationScope(t *testing.T) {
	e := start(t, server.Config{})
	f := e.fixture()
	envURL, envQ := e.queue("env", true)
	profURL, profQ := e.queue("profile", true)
	e.associate(arn("application/"+f.app+"/environment/"+f.env), envQ)
	e.associate(arn("application/"+f.app+"/configurationprofile/"+f.profile), profQ)

	// MyEnv + MyConfigProfile: both fire.
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile, f.fast, ""))
	e.waitState(f.app, f.env, 1, types.DeploymentStateComplete)
	e.receive(envURL, 2)
	e.receive(profURL, 2)
	// Other environment, same profile: only the profile's.
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env2, f.profile, f.fast, ""))
	e.waitState(f.app, f.env2, 1, types.DeploymentStateComplete)
	e.receive(profURL, 2)
	e.empty(envURL)
	// MyEnv, other profile: only the environment's.
	must[*appconfig.StartDeploymentOutput](t)(e.deploy(f.app, f.env, f.profile2, f.fast, ""))
	e.waitState(f.app, f.env, 2, types.DeploymentStateComplete)
	e.receive(envURL, 2)
	e.empty(profURL)
}

func apiError(t *testing.T, err error, code, contains string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), contains) {
		t.Fatalf("got %v, want %s containing %q", err, code, contains)
	}
}

func TestAssociationValidation(t *testing.T) {
	e := start(t, server.Config{})
	f := e.fixture()
	_, err := e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String(sqsExt), ResourceIdentifier: aws.String(arn("application/" + f.app))})
	apiError(t, err, "BadRequestException", "queueArn")
	_, err = e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String(sqsExt), ResourceIdentifier: aws.String(arn("application/nope123")),
		Parameters: map[string]string{"queueArn": "arn:aws:sqs:us-east-1:000000000000:q"}})
	apiError(t, err, "ResourceNotFoundException", "")
	_, err = e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSns"), ResourceIdentifier: aws.String(arn("application/" + f.app)),
		Parameters: map[string]string{"topicArn": "arn:aws:sns:us-east-1:000000000000:t"}})
	apiError(t, err, "BadRequestException", "no SNS")
	_, err = e.ac.CreateExtensionAssociation(e.ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("nope"), ResourceIdentifier: aws.String(arn("application/" + f.app))})
	apiError(t, err, "ResourceNotFoundException", "")

	list := must[*appconfig.ListExtensionsOutput](t)(e.ac.ListExtensions(e.ctx, &appconfig.ListExtensionsInput{}))
	if len(list.Items) != 3 || *list.Items[0].Id != sqsExt {
		t.Fatalf("extensions %+v", list.Items)
	}
	as := e.associate(arn("application/"+f.app), "arn:aws:sqs:us-east-1:000000000000:q")
	byRes := must[*appconfig.ListExtensionAssociationsOutput](t)(e.ac.ListExtensionAssociations(e.ctx, &appconfig.ListExtensionAssociationsInput{
		ResourceIdentifier: aws.String(arn("application/" + f.app)), ExtensionIdentifier: aws.String(sqsExt)}))
	if len(byRes.Items) != 1 || *byRes.Items[0].Id != *as.Id {
		t.Fatalf("associations %+v", byRes.Items)
	}
	none := must[*appconfig.ListExtensionAssociationsOutput](t)(e.ac.ListExtensionAssociations(e.ctx, &appconfig.ListExtensionAssociationsInput{
		ResourceIdentifier: aws.String(arn("application/" + f.app + "/environment/" + f.env))}))
	if len(none.Items) != 0 {
		t.Fatalf("environment associations %+v", none.Items)
	}
	must[*appconfig.TagResourceOutput](t)(e.ac.TagResource(e.ctx, &appconfig.TagResourceInput{ResourceArn: as.Arn,
		Tags: map[string]string{"team": "web"}}))
	tags := must[*appconfig.ListTagsForResourceOutput](t)(e.ac.ListTagsForResource(e.ctx, &appconfig.ListTagsForResourceInput{ResourceArn: as.Arn}))
	if tags.Tags["team"] != "web" {
		t.Fatalf("tags %v", tags.Tags)
	}
	up := must[*appconfig.UpdateExtensionAssociationOutput](t)(e.ac.UpdateExtensionAssociation(e.ctx, &appconfig.UpdateExtensionAssociationInput{
		ExtensionAssociationId: as.Id, Parameters: map[string]string{"queueArn": "arn:aws:sqs:us-east-1:000000000000:r"}}))
	if up.Parameters["queueArn"] != "arn:aws:sqs:us-east-1:000000000000:r" {
		t.Fatalf("updated %+v", up)
	}
	must[*appconfig.DeleteExtensionAssociationOutput](t)(e.ac.DeleteExtensionAssociation(e.ctx, &appconfig.DeleteExtensionAssociationInput{ExtensionAssociationId: as.Id}))
	_, err = e.ac.GetExtensionAssociation(e.ctx, &appconfig.GetExtensionAssociationInput{ExtensionAssociationId: as.Id})
	apiError(t, err, "ResourceNotFoundException", "")
}
