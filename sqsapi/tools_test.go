package sqsapi_test

import (
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestAWSToolsCompat drives baton with both AWS CLIs (pip's on PATH speaks
// the JSON protocol, Debian's /usr/bin/aws the query protocol) and boto3:
// STS get-caller-identity, AddPermission/RemovePermission and a FIFO receive
// across message groups.
func TestAWSToolsCompat(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLIs and boto3")
	}
	const account = "123456789012"
	in := batontest.Start(t, server.Config{AWSAccount: account, Out: io.Discard})
	id, secret := in.AWSKeys()
	env := append(os.Environ(), "BATON_URL="+in.URL, "ACCOUNT="+account, "AWS_ACCESS_KEY_ID="+id,
		"AWS_SECRET_ACCESS_KEY="+secret, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	run := func(t *testing.T, extra []string, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(env, extra...)
		out, err := cmd.CombinedOutput()
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
	}
	clis := map[string]string{"json": batontest.RequireTool(t, "aws"), "query": "/usr/bin/aws"}
	if clis["json"] == "/usr/bin/aws" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws on PATH is Debian's; put pip's first (.ci/run installs it)")
		}
		t.Skip("pip's AWS CLI is not on PATH")
	}
	for proto, cli := range clis {
		t.Run(proto, func(t *testing.T) {
			t.Parallel() // each aws call costs a Python start-up
			batontest.RequireTool(t, cli)
			run(t, []string{"AWS_CLI=" + cli, "PREFIX=cli-" + proto}, "bash", "testdata/compat_cli.sh")
		})
	}
	t.Run("boto3", func(t *testing.T) {
		t.Parallel()
		run(t, nil, batontest.RequireTool(t, "python3"), "testdata/compat_boto3.py")
	})
}
