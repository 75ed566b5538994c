package oneplane

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	good := "apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks:\n  deployment:\n    application: shop\n    environment: prod\n" +
		"    configurationProfile: flags\n    deploymentStrategy: AppConfig.Linear50PercentEvery30Seconds\n"
	c, err := ParseConfig([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := TaskSpec{Application: "shop", Environment: "prod", ConfigurationProfile: "flags", DeploymentStrategy: "AppConfig.Linear50PercentEvery30Seconds"}
	if c.Tasks["deployment"] != want {
		t.Fatalf("got %+v", c.Tasks)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"not yaml", "tasks: [", "invalid YAML"},
		{"not a mapping", "- a\n", "line 1: the file must be a mapping"},
		{"wrong kind", "apiVersion: baton.dev/v1\nkind: Shipyard\ntasks: {}\n", "line 2: must be AppConfigTasks"},
		{"wrong version", "apiVersion: v2\nkind: AppConfigTasks\n", "line 1: must be baton.dev/v1"},
		{"no tasks", "apiVersion: baton.dev/v1\nkind: AppConfigTasks\n", "tasks is required"},
		{"empty tasks", "apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks: {}\n", "line 3: tasks must map"},
		{"unknown top field", "apiVersion: baton.dev/v1\nkind: AppConfigTasks\nspec: 1\n", `line 3: unknown field "spec"`},
		{"missing field", "apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks:\n  deployment:\n    application: shop\n", "line 5: task deployment: environment is required"},
		{"unknown field", strings.Replace(good, "    application: shop\n", "    application: shop\n    app: x\n", 1), `line 6: task deployment: unknown field "app"`},
		{"not a string", strings.Replace(good, "environment: prod", "environment: [prod]", 1), "line 6: task deployment: environment must be a string"},
		{"bad task name", strings.Replace(good, "  deployment:", "  deploy ment:", 1), "line 4: task name"},
		{"task not a mapping", "apiVersion: baton.dev/v1\nkind: AppConfigTasks\ntasks:\n  deployment: shop\n", "line 4: task deployment: must be a mapping"},
	} {
		_, err := ParseConfig([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestTypeOf(t *testing.T) {
	if got := typeOf("ON_DEPLOYMENT_ROLLED_BACK"); got != "OnDeploymentRolledBack" {
		t.Fatal(got)
	}
}
