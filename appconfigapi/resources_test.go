package appconfigapi_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
)

func TestResourceCRUD(t *testing.T) {
	e := start(t)
	f := e.fixture()
	ctx := e.ctx

	t.Run("applications", func(t *testing.T) {
		u := must[*appconfig.UpdateApplicationOutput](t)(e.ac.UpdateApplication(ctx, &appconfig.UpdateApplicationInput{
			ApplicationId: &f.app, Description: aws.String("the shop")}))
		if *u.Name != "shop" || *u.Description != "the shop" {
			t.Fatalf("updated: %+v", u)
		}
		for i := range 3 {
			must[*appconfig.CreateApplicationOutput](t)(e.ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String(string(rune('a' + i)))}))
		}
		var names []string
		p := appconfig.NewListApplicationsPaginator(e.ac, &appconfig.ListApplicationsInput{MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			pg := must[*appconfig.ListApplicationsOutput](t)(p.NextPage(ctx))
			for _, a := range pg.Items {
				names = append(names, *a.Name)
			}
		}
		if len(names) != 4 || names[0] != "shop" {
			t.Fatalf("paginated names %v", names)
		}
		_, err := e.ac.DeleteApplication(ctx, &appconfig.DeleteApplicationInput{ApplicationId: &f.app})
		apiError(t, err, "BadRequestException")
	})

	t.Run("environments", func(t *testing.T) {
		u := must[*appconfig.UpdateEnvironmentOutput](t)(e.ac.UpdateEnvironment(ctx, &appconfig.UpdateEnvironmentInput{
			ApplicationId: &f.app, EnvironmentId: &f.env, Monitors: []types.Monitor{}}))
		if len(u.Monitors) != 0 || *u.Name != "prod" {
			t.Fatalf("updated: %+v", u)
		}
		l := must[*appconfig.ListEnvironmentsOutput](t)(e.ac.ListEnvironments(ctx, &appconfig.ListEnvironmentsInput{ApplicationId: &f.app}))
		if len(l.Items) != 1 || l.Items[0].State != "ReadyForDeployment" {
			t.Fatalf("environments %+v", l.Items)
		}
	})

	t.Run("hosted versions", func(t *testing.T) {
		v := must[*appconfig.GetHostedConfigurationVersionOutput](t)(e.ac.GetHostedConfigurationVersion(ctx, &appconfig.GetHostedConfigurationVersionInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, VersionNumber: aws.Int32(2)}))
		if string(v.Content) != `{"color":"blue"}` || aws.ToString(v.VersionLabel) != "v2" || aws.ToString(v.ContentType) != "application/json" ||
			aws.ToString(v.ApplicationId) != f.app || v.VersionNumber != 2 {
			t.Fatalf("version: %+v", v)
		}
		l := must[*appconfig.ListHostedConfigurationVersionsOutput](t)(e.ac.ListHostedConfigurationVersions(ctx, &appconfig.ListHostedConfigurationVersionsInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, VersionLabel: aws.String("v1")}))
		if len(l.Items) != 1 || l.Items[0].VersionNumber != 1 {
			t.Fatalf("by label: %+v", l.Items)
		}
		for label, want := range map[string][]int32{"v*": {3, 2, 1}, "v2*": {2}, "v": nil, "*": {3, 2, 1}} {
			l := must[*appconfig.ListHostedConfigurationVersionsOutput](t)(e.ac.ListHostedConfigurationVersions(ctx, &appconfig.ListHostedConfigurationVersionsInput{
				ApplicationId: &f.app, ConfigurationProfileId: &f.profile, VersionLabel: aws.String(label)}))
			var got []int32
			for _, it := range l.Items {
				got = append(got, it.VersionNumber)
			}
			if !slices.Equal(got, want) {
				t.Errorf("version_label %q: got %v, want %v", label, got, want)
			}
		}
		must[*appconfig.DeleteHostedConfigurationVersionOutput](t)(e.ac.DeleteHostedConfigurationVersion(ctx, &appconfig.DeleteHostedConfigurationVersionInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, VersionNumber: aws.Int32(3)}))
		nv := must[*appconfig.CreateHostedConfigurationVersionOutput](t)(e.ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, Content: []byte(`{"color":"pink"}`), ContentType: aws.String("application/json")}))
		if nv.VersionNumber != 4 {
			t.Fatalf("version after deleting 3 is %d, want 4 (numbers are not reused)", nv.VersionNumber)
		}
		_, err := e.ac.DeleteConfigurationProfile(ctx, &appconfig.DeleteConfigurationProfileInput{ApplicationId: &f.app, ConfigurationProfileId: &f.profile})
		apiError(t, err, "ConflictException")
	})

	t.Run("profiles", func(t *testing.T) {
		u := must[*appconfig.UpdateConfigurationProfileOutput](t)(e.ac.UpdateConfigurationProfile(ctx, &appconfig.UpdateConfigurationProfileInput{
			ApplicationId: &f.app, ConfigurationProfileId: &f.profile, Validators: []types.Validator{}}))
		if len(u.Validators) != 0 || aws.ToString(u.Type) != "AWS.Freeform" {
			t.Fatalf("updated: %+v", u)
		}
		l := must[*appconfig.ListConfigurationProfilesOutput](t)(e.ac.ListConfigurationProfiles(ctx, &appconfig.ListConfigurationProfilesInput{
			ApplicationId: &f.app, Type: aws.String("AWS.AppConfig.FeatureFlags")}))
		if len(l.Items) != 0 {
			t.Fatalf("type filter: %+v", l.Items)
		}
	})

	t.Run("deployment by label and timestamps", func(t *testing.T) {
		d := must[*appconfig.StartDeploymentOutput](t)(e.ac.StartDeployment(ctx, &appconfig.StartDeploymentInput{ApplicationId: &f.app,
			EnvironmentId: &f.env, ConfigurationProfileId: &f.profile, DeploymentStrategyId: aws.String("AppConfig.AllAtOnce"),
			ConfigurationVersion: aws.String("v2")}))
		if aws.ToString(d.ConfigurationVersion) != "2" || aws.ToString(d.VersionLabel) != "v2" || d.StartedAt == nil || !d.StartedAt.Equal(t0) {
			t.Fatalf("deployment: version %s label %s started %v", aws.ToString(d.ConfigurationVersion), aws.ToString(d.VersionLabel), d.StartedAt)
		}
		e.waitDeployment(f.app, f.env, d.DeploymentNumber, state(types.DeploymentStateBaking))
		//lint:ignore SA1019 baton serves the deprecated operation for old clients
		c := must[*appconfig.GetConfigurationOutput](t)(e.ac.GetConfiguration(ctx, &appconfig.GetConfigurationInput{
			Application: aws.String("shop"), Environment: &f.env, Configuration: aws.String("ui"), ClientId: aws.String("c1")}))
		if string(c.Content) != `{"color":"blue"}` || aws.ToString(c.ConfigurationVersion) != "2" {
			t.Fatalf("GetConfiguration: %q version %s", c.Content, aws.ToString(c.ConfigurationVersion))
		}
		//lint:ignore SA1019 baton serves the deprecated operation for old clients
		c = must[*appconfig.GetConfigurationOutput](t)(e.ac.GetConfiguration(ctx, &appconfig.GetConfigurationInput{
			Application: &f.app, Environment: &f.env, Configuration: &f.profile, ClientId: aws.String("c1"), ClientConfigurationVersion: aws.String("2")}))
		if len(c.Content) != 0 {
			t.Fatalf("GetConfiguration with the current version: %q", c.Content)
		}
		_, err := e.ac.DeleteEnvironment(ctx, &appconfig.DeleteEnvironmentInput{ApplicationId: &f.app, EnvironmentId: &f.env})
		apiError(t, err, "ConflictException")
	})
}
