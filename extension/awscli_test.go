package extension_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestAWSCLI runs the reference user's flow with the AWS CLI (testdata/awscli.sh).
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI not on PATH")
		}
		t.Skip("aws CLI not on PATH")
	}
	in := batontest.Start(t, server.Config{})
	id, secret := in.AWSKeys()
	cmd := exec.Command("bash", "testdata/awscli.sh")
	cmd.Env = append(os.Environ(), "BATON_URL="+in.URL, "TMPDIR="+t.TempDir(),
		"AWS_ACCESS_KEY_ID="+id, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("awscli.sh: %v", err)
	}
}
