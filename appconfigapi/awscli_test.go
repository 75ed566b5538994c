package appconfigapi_test

import (
	"testing"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// TestAWSCLI drives the AppConfig lifecycle with the AWS CLI (testdata/awscli.sh).
func TestAWSCLI(t *testing.T) {
	batontest.RequireTool(t, "aws")
	batontest.Start(t, server.Config{}).RunAWSScript("testdata/awscli.sh")
}
