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

// TestAWSCLIARNs checks configured ARNs, create-time tags, LocationUri rules
// and the hosted-only refusal with the AWS CLI (testdata/awscli_arns.sh).
func TestAWSCLIARNs(t *testing.T) {
	batontest.RequireTool(t, "aws")
	batontest.Start(t, server.Config{AWSAccount: "123456789012", AWSRegion: "eu-west-1"}).RunAWSScript("testdata/awscli_arns.sh")
}
