package batontest

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool returns the path of an external program a test drives (the
// AWS CLI, python3). A missing tool skips the test on a developer machine
// and fails it in CI (CI=true), where .ci/run installs it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not on PATH (.ci/run installs it)", name)
		}
		t.Skipf("%s not on PATH", name)
	}
	return p
}

// RunAWSScript runs a bash script that drives baton with the AWS CLI on PATH:
// BATON_URL, BATON_TOKEN and a fresh access key pair are in its environment,
// with no AWS config file or pager. It fails the test if the script fails.
func (in *Instance) RunAWSScript(script string) {
	in.t.Helper()
	RequireTool(in.t, "aws")
	id, secret := in.AWSKeys()
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "BATON_URL="+in.URL, "BATON_TOKEN="+in.Token, "TMPDIR="+in.t.TempDir(),
		"AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	in.t.Logf("%s", out)
	if err != nil {
		in.t.Fatalf("%s: %v", script, err)
	}
}
