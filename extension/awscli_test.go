package extension_test

import (
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestAWSCLI runs the reference user's flow with the AWS CLI (testdata/awscli.sh).
func TestAWSCLI(t *testing.T) {
	batontest.RequireTool(t, "aws")
	batontest.Start(t, server.Config{}).RunAWSScript("testdata/awscli.sh")
}
