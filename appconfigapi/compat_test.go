package appconfigapi_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestARNsFollowConfig checks that ARNs carry --aws-account and
// --aws-region and that tags, wherever set, are found through any ARN of
// the resource: the flows of a public AWS-behaviour suite (moto's
// test_tag_application, test_tag_config_profile), which build ARNs from
// the client's region and account.
func TestARNsFollowConfig(t *testing.T) {
	e := startWith(t, server.Config{AWSAccount: "123456789012", AWSRegion: "us-east-2"}, "us-east-2")
	ctx := e.ctx
	tags := func(arn string) map[string]string {
		t.Helper()
		return must[*appconfig.ListTagsForResourceOutput](t)(e.ac.ListTagsForResource(ctx, &appconfig.ListTagsForResourceInput{ResourceArn: &arn})).Tags
	}
	app := *must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{
		Name: aws.String("testapp"), Tags: map[string]string{"k1": "v1"}})).Id
	profile := *must[*appconfig.CreateConfigurationProfileOutput](t)(e.ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: &app, Name: aws.String("config_name"), LocationUri: aws.String("hosted"), Tags: map[string]string{"k1": "v1"}})).Id
	for _, arn := range []string{
		"arn:aws:appconfig:us-east-2:123456789012:application/" + app,
		"arn:aws:appconfig:us-east-2:123456789012:application/" + app + "/configurationprofile/" + profile,
		"arn:aws:appconfig:eu-north-1:123456789012:application/" + app, // any region: baton is one region under every name
	} {
		t.Run(arn, func(t *testing.T) {
			if diff := cmp.Diff(tags(arn), map[string]string{"k1": "v1"}); diff != "" {
				t.Fatalf("create-time tags (-got +want):\n%s", diff)
			}
		})
	}
	arn := "arn:aws:appconfig:us-east-2:123456789012:application/" + app
	must[*appconfig.TagResourceOutput](t)(e.ac.TagResource(ctx, &appconfig.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"k2": "v2", "k3": "v3"}}))
	must[*appconfig.UntagResourceOutput](t)(e.ac.UntagResource(ctx, &appconfig.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"k2"}}))
	if diff := cmp.Diff(tags(arn), map[string]string{"k1": "v1", "k3": "v3"}); diff != "" {
		t.Errorf("after tag and untag (-got +want):\n%s", diff)
	}
	for _, tc := range []struct{ arn, code string }{
		{"arn:aws:appconfig:us-east-2:000000000000:application/" + app, "ResourceNotFoundException"}, // another account
		{"arn:aws:appconfig:us-east-2:123456789012:application/zzzzzzz", "ResourceNotFoundException"},
		{"arn:aws:appconfig:us-east-2:123456789012:application/zzzzzzz/configurationprofile/" + profile, "ResourceNotFoundException"},
		{"arn:aws:appconfig:us-east-2:123456789012:nonsense/" + app, "BadRequestException"},
		{"not-an-arn-at-all-but-long", "BadRequestException"},
	} {
		_, err := e.ac.ListTagsForResource(ctx, &appconfig.ListTagsForResourceInput{ResourceArn: &tc.arn})
		apiError(t, err, tc.code)
	}
	var nf *types.ResourceNotFoundException
	if _, err := e.ac.ListTagsForResource(ctx, &appconfig.ListTagsForResourceInput{
		ResourceArn: aws.String("arn:aws:appconfig:us-east-2:123456789012:application/zzzzzzz")}); !errors.As(err, &nf) || aws.ToString(nf.ResourceName) == "" {
		t.Errorf("ResourceNotFoundException without ResourceName: %v", err)
	}
	exts := must[*appconfig.ListExtensionsOutput](t)(e.ac.ListExtensions(ctx, &appconfig.ListExtensionsInput{}))
	if len(exts.Items) == 0 || !strings.HasPrefix(aws.ToString(exts.Items[0].Arn), "arn:aws:appconfig:us-east-2::extension/") {
		t.Errorf("AWS-authored extension ARN: %+v", exts.Items)
	}

	// An association made through an ARN of another region is shown, found
	// and tagged under the configured region and account.
	as := must[*appconfig.CreateExtensionAssociationOutput](t)(e.ac.CreateExtensionAssociation(ctx, &appconfig.CreateExtensionAssociationInput{
		ExtensionIdentifier: aws.String("AWS.AppConfig.DeploymentNotificationsToSqs"),
		ResourceIdentifier:  aws.String("arn:aws:appconfig:eu-north-1:123456789012:application/" + app),
		Parameters:          map[string]string{"queueArn": "arn:aws:sqs:us-east-2:123456789012:deployments"},
		Tags:                map[string]string{"k": "v"}}))
	wantArns := []string{"arn:aws:appconfig:us-east-2:123456789012:extensionassociation/" + aws.ToString(as.Id),
		"arn:aws:appconfig:us-east-2::extension/AWS.AppConfig.DeploymentNotificationsToSqs/1", arn}
	if diff := cmp.Diff([]string{aws.ToString(as.Arn), aws.ToString(as.ExtensionArn), aws.ToString(as.ResourceArn)}, wantArns); diff != "" {
		t.Errorf("association ARNs (-got +want):\n%s", diff)
	}
	listed := must[*appconfig.ListExtensionAssociationsOutput](t)(e.ac.ListExtensionAssociations(ctx, &appconfig.ListExtensionAssociationsInput{ResourceIdentifier: &arn}))
	if len(listed.Items) != 1 || aws.ToString(listed.Items[0].Id) != aws.ToString(as.Id) {
		t.Errorf("associations of %s: %+v", arn, listed.Items)
	}
	if diff := cmp.Diff(tags(aws.ToString(as.Arn)), map[string]string{"k": "v"}); diff != "" {
		t.Errorf("association tags (-got +want):\n%s", diff)
	}
}

// TestLocationURIs checks CreateConfigurationProfile's LocationUri, Type
// and RetrievalRoleArn rules (AppConfig API reference and botocore model),
// and that a profile whose configuration lives outside baton cannot get
// hosted versions or be deployed.
func TestLocationURIs(t *testing.T) {
	e := start(t)
	ctx := e.ctx
	app := *must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("a")})).Id
	role := aws.String("arn:aws:iam::123456789012:role/appconfig-read")
	for _, tc := range []struct {
		name, uri, typ string
		role           *string
		code           string // "" = accepted
	}{
		{"hosted", "hosted", "", nil, ""},
		{"s3", "s3://amzn-s3-demo-bucket/my-app/us-east-1/my-config.json", "", role, ""},
		{"ssm parameter", "ssm-parameter://Example-Parameter", "", role, ""},
		{"ssm parameter path", "ssm-parameter:///app/prod/flags", "", role, ""},
		{"ssm parameter ARN", "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod", "", role, ""},
		{"ssm document", "ssm-document://Example-Document", "", role, ""},
		{"ssm document ARN", "arn:aws:ssm:us-east-1:123456789012:document/Example-Document", "", role, ""},
		{"secrets manager", "secretsmanager://prod/db-config", "", role, ""},
		{"secrets manager ARN (AWS CDK fromSecret)", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-config-AbCdEf", "", role, ""},
		{"S3 object ARN", "arn:aws:s3:::amzn-s3-demo-bucket/config.json", "", role, ""},
		{"codepipeline", "codepipeline://config-pipeline", "", nil, ""},
		{"feature flags hosted", "hosted", "AWS.AppConfig.FeatureFlags", nil, ""},
		{"unknown scheme", "luri", "", nil, "BadRequestException"},
		{"s3 without key", "s3://amzn-s3-demo-bucket", "", role, "BadRequestException"},
		{"s3 bad bucket", "s3://B/key", "", role, "BadRequestException"},
		{"ssm document too short", "ssm-document://ab", "", role, "BadRequestException"},
		{"codepipeline bad name", "codepipeline://a b", "", nil, "BadRequestException"},
		{"other ARN", "arn:aws:lambda:us-east-1:123456789012:function:f", "", role, "BadRequestException"},
		{"feature flags in S3", "s3://amzn-s3-demo-bucket/flags.json", "AWS.AppConfig.FeatureFlags", role, "BadRequestException"},
		{"unknown type", "hosted", "freeform", nil, "BadRequestException"},
		{"bad role ARN", "ssm-parameter://p", "", aws.String("rrarn:rrarn:rrarn:rrarn"), "BadRequestException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &appconfig.CreateConfigurationProfileInput{ApplicationId: &app, Name: aws.String(tc.name),
				LocationUri: aws.String(tc.uri), RetrievalRoleArn: tc.role}
			if tc.typ != "" {
				in.Type = aws.String(tc.typ)
			}
			out, err := e.ac.CreateConfigurationProfile(ctx, in)
			if tc.code != "" {
				apiError(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := must[*appconfig.GetConfigurationProfileOutput](t)(e.ac.GetConfigurationProfile(ctx, &appconfig.GetConfigurationProfileInput{
				ApplicationId: &app, ConfigurationProfileId: out.Id}))
			if aws.ToString(got.LocationUri) != tc.uri || aws.ToString(got.RetrievalRoleArn) != aws.ToString(tc.role) {
				t.Errorf("stored: %+v", got)
			}
		})
	}

	envID := *must[*appconfig.CreateEnvironmentOutput](t)(e.ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: &app, Name: aws.String("prod")})).Id
	s3 := *must[*appconfig.CreateConfigurationProfileOutput](t)(e.ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{
		ApplicationId: &app, Name: aws.String("from-s3"), LocationUri: aws.String("s3://amzn-s3-demo-bucket/c.json"), RetrievalRoleArn: role})).Id
	t.Run("LAMBDA validator", func(t *testing.T) {
		lambda := func(content string) (*appconfig.CreateConfigurationProfileOutput, error) {
			return e.ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: &app, Name: aws.String("l"),
				LocationUri: aws.String("hosted"), Validators: []types.Validator{{Type: types.ValidatorTypeLambda, Content: aws.String(content)}}})
		}
		_, err := lambda("not-an-arn")
		apiError(t, err, "BadRequestException")
		p := must[*appconfig.CreateConfigurationProfileOutput](t)(lambda("arn:aws:lambda:us-east-1:123456789012:function:check-config:live"))
		_, err = e.ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &app,
			ConfigurationProfileId: p.Id, Content: []byte(`{}`), ContentType: aws.String("application/json")})
		apiError(t, err, "BadRequestException")
		if !strings.Contains(err.Error(), "cannot call AWS Lambda") {
			t.Errorf("message: %v", err)
		}
	})
	hostedOnly := func(t *testing.T, err error) {
		t.Helper()
		apiError(t, err, "BadRequestException")
		if !strings.Contains(err.Error(), "baton serves hosted configurations only") {
			t.Errorf("message: %v", err)
		}
	}
	t.Run("deploy non-hosted", func(t *testing.T) {
		_, err := e.ac.StartDeployment(ctx, &appconfig.StartDeploymentInput{ApplicationId: &app, EnvironmentId: &envID,
			ConfigurationProfileId: &s3, DeploymentStrategyId: aws.String("AppConfig.AllAtOnce"), ConfigurationVersion: aws.String("3")})
		hostedOnly(t, err)
	})
	t.Run("hosted version of non-hosted", func(t *testing.T) {
		_, err := e.ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &app,
			ConfigurationProfileId: &s3, Content: []byte(`{}`), ContentType: aws.String("application/json")})
		hostedOnly(t, err)
	})
}

// TestValidatorFailureDetails checks that a JSON Schema failure is a
// BadRequestException with Reason InvalidConfiguration and one Details
// entry per failed constraint, and names no file of the server.
func TestValidatorFailureDetails(t *testing.T) {
	e := start(t)
	f := e.fixture() // its validator requires "color" to be a string
	_, err := e.ac.CreateHostedConfigurationVersion(e.ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: &f.app,
		ConfigurationProfileId: &f.profile, Content: []byte(`{"color":7}`), ContentType: aws.String("application/json")})
	var br *types.BadRequestException
	if !errors.As(err, &br) || br.Reason != types.BadRequestReasonInvalidConfiguration {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "file:") || strings.Contains(err.Error(), "validator.json") {
		t.Errorf("message shows a server path: %v", err)
	}
	details, ok := br.Details.(*types.BadRequestDetailsMemberInvalidConfiguration)
	if !ok || len(details.Value) == 0 {
		t.Fatalf("details: %#v", br.Details)
	}
	d := details.Value[0]
	if aws.ToString(d.Location) != "/color" || aws.ToString(d.Constraint) != "type" || aws.ToString(d.Type) != "JSON_SCHEMA" || aws.ToString(d.Reason) == "" {
		t.Errorf("detail: location %s constraint %s type %s reason %s", aws.ToString(d.Location), aws.ToString(d.Constraint), aws.ToString(d.Type), aws.ToString(d.Reason))
	}
}

// TestModelLimits checks limits of the botocore model that SDKs do not
// check on the client side, on the wire.
func TestModelLimits(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	_, _, app := raw(t, in, "POST", "/applications", `{"Name":"a"}`, nil)
	appID, _ := app["Id"].(string)
	arn := url.PathEscape("arn:aws:appconfig:us-east-1:000000000000:application/" + appID)
	keys := strings.Repeat("tagKeys=k&", 51)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"empty Tags map", "POST", "/tags/" + arn, `{"Tags":{}}`, 204},
		{"Tags missing", "POST", "/tags/" + arn, `{}`, 400},
		{"tag value too long", "POST", "/tags/" + arn, `{"Tags":{"k":"` + strings.Repeat("v", 257) + `"}}`, 400},
		{"tag key of 128 characters", "POST", "/tags/" + arn, `{"Tags":{"` + strings.Repeat("é", 128) + `":"v"}}`, 204},
		{"51 tag keys to remove", "DELETE", "/tags/" + arn + "?" + keys, "", 400},
		{"bad AlarmRoleArn", "POST", "/applications/" + appID + "/environments",
			`{"Name":"e","Monitors":[{"AlarmArn":"arn:aws:cloudwatch:us-east-1:000000000000:alarm:a","AlarmRoleArn":"role"}]}`, 400},
		{"name of 64 characters", "POST", "/applications", `{"Name":"` + strings.Repeat("ü", 64) + `"}`, 201},
		{"name of 65 characters", "POST", "/applications", `{"Name":"` + strings.Repeat("ü", 65) + `"}`, 400},
		{"deployment without strategy", "POST", "/applications/" + appID + "/environments/zzzzzzz/deployments",
			`{"ConfigurationProfileId":"p","ConfigurationVersion":"1"}`, 400},
		{"strategy without duration", "POST", "/deploymentstrategies", `{"Name":"s","GrowthFactor":10}`, 400},
		{"strategy without growth factor", "POST", "/deploymentstrategies", `{"Name":"s","DeploymentDurationInMinutes":0}`, 400},
		{"strategy of zero duration", "POST", "/deploymentstrategies", `{"Name":"s","DeploymentDurationInMinutes":0,"GrowthFactor":100}`, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, typ, body := raw(t, in, tc.method, tc.path, tc.body, nil); status != tc.status {
				t.Fatalf("got %d %s %v, want %d", status, typ, body, tc.status)
			}
		})
	}
}

// TestAccountSettings checks GetAccountSettings/UpdateAccountSettings and
// the DeletionProtectionCheck values of the delete operations.
func TestAccountSettings(t *testing.T) {
	e := start(t)
	ctx := e.ctx
	got := must[*appconfig.GetAccountSettingsOutput](t)(e.ac.GetAccountSettings(ctx, &appconfig.GetAccountSettingsInput{}))
	if dp := got.DeletionProtection; dp == nil || aws.ToBool(dp.Enabled) || aws.ToInt32(dp.ProtectionPeriodInMinutes) != 60 {
		t.Fatalf("defaults: %+v", got.DeletionProtection)
	}
	up := must[*appconfig.UpdateAccountSettingsOutput](t)(e.ac.UpdateAccountSettings(ctx, &appconfig.UpdateAccountSettingsInput{
		DeletionProtection: &types.DeletionProtectionSettings{Enabled: aws.Bool(true), ProtectionPeriodInMinutes: aws.Int32(30)}}))
	if dp := up.DeletionProtection; !aws.ToBool(dp.Enabled) || aws.ToInt32(dp.ProtectionPeriodInMinutes) != 30 {
		t.Fatalf("updated: %+v", dp)
	}
	up = must[*appconfig.UpdateAccountSettingsOutput](t)(e.ac.UpdateAccountSettings(ctx, &appconfig.UpdateAccountSettingsInput{
		DeletionProtection: &types.DeletionProtectionSettings{Enabled: aws.Bool(false)}}))
	if dp := up.DeletionProtection; aws.ToBool(dp.Enabled) || aws.ToInt32(dp.ProtectionPeriodInMinutes) != 30 {
		t.Fatalf("partial update: %+v", dp)
	}
	_, err := e.ac.UpdateAccountSettings(ctx, &appconfig.UpdateAccountSettingsInput{
		DeletionProtection: &types.DeletionProtectionSettings{ProtectionPeriodInMinutes: aws.Int32(5)}})
	apiError(t, err, "BadRequestException")

	app := must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("a")})).Id
	envID := must[*appconfig.CreateEnvironmentOutput](t)(e.ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app, Name: aws.String("e")})).Id
	_, err = e.ac.DeleteEnvironment(ctx, &appconfig.DeleteEnvironmentInput{ApplicationId: app, EnvironmentId: envID, DeletionProtectionCheck: "SOMETIMES"})
	apiError(t, err, "BadRequestException")
	must[*appconfig.DeleteEnvironmentOutput](t)(e.ac.DeleteEnvironment(ctx, &appconfig.DeleteEnvironmentInput{ApplicationId: app, EnvironmentId: envID,
		DeletionProtectionCheck: types.DeletionProtectionCheckBypass}))
}
