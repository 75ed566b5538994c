package appconfig

import (
	"regexp"
	"strings"
)

// LocationHosted is the LocationUri of configurations baton stores itself.
const LocationHosted = "hosted"

// locationForms are the LocationUri forms the AppConfig API reference
// documents for CreateConfigurationProfile (botocore appconfig 2019-10-09,
// LocationUri), each with the name rules of the service it points at.
var locationForms = []struct {
	prefix, what string
	name         *regexp.Regexp
}{
	{"s3://", "s3://<bucket>/<objectKey>", regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$`)},
	{"ssm-parameter://", "ssm-parameter://<parameter name>", regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)},
	{"ssm-document://", "ssm-document://<document name>", regexp.MustCompile(`^[a-zA-Z0-9_.\-]{3,128}$`)},
	{"secretsmanager://", "secretsmanager://<secret name>", regexp.MustCompile(`^[a-zA-Z0-9/_+=.@\-]{1,512}$`)},
	{"codepipeline://", "codepipeline://<pipeline name>", regexp.MustCompile(`^[A-Za-z0-9.@_\-]{1,100}$`)},
}

// sourceArn matches the ARNs AppConfig takes as a LocationUri: an SSM
// parameter or document (API reference), a Secrets Manager secret (what the
// AWS CDK's ConfigurationSource.fromSecret passes) or an S3 object.
var sourceArn = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:(ssm:[a-z0-9-]+:\d{12}:(parameter/.+|document/[a-zA-Z0-9_.\-]{3,128})` +
	`|secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@\-]+` +
	`|s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+)$`)

// roleArn is the model's RoleArn pattern (RetrievalRoleArn).
var roleArn = regexp.MustCompile(`^arn:(aws|aws-cn|aws-iso|aws-iso-[a-z]|aws-us-gov|aws-eusc):iam::\d{12}:role/.*$`)

// checkLocation validates a configuration profile's LocationUri: hosted, or
// one of the external sources AppConfig reads from. baton accepts external
// sources so that infrastructure code written for AWS applies unchanged,
// but deploys only hosted configurations (see hostedOnly).
func checkLocation(uri string) error {
	if uri == LocationHosted {
		return nil
	}
	if uri == "" || len(uri) > 2048 {
		return Errorf(CodeBadRequest, "LocationUri must be 1 to 2048 characters")
	}
	if sourceArn.MatchString(uri) {
		return nil
	}
	forms := make([]string, 0, len(locationForms)+2)
	forms = append(forms, LocationHosted)
	for _, f := range locationForms {
		if rest, ok := strings.CutPrefix(uri, f.prefix); ok {
			if !f.name.MatchString(rest) {
				return Errorf(CodeBadRequest, "LocationUri %q is not valid: the form is %s", uri, f.what)
			}
			return nil
		}
		forms = append(forms, f.what)
	}
	forms = append(forms, "the ARN of an SSM parameter or document, a Secrets Manager secret or an S3 object")
	return Errorf(CodeBadRequest, "LocationUri %q is not valid: use %s", uri, strings.Join(forms, ", "))
}

// checkRetrievalRole validates RetrievalRoleArn (optional; baton reads no
// external source, so the role is stored and shown, never assumed).
func checkRetrievalRole(arn string) error { return checkRoleArn("RetrievalRoleArn", arn) }

// checkRoleArn validates an optional IAM role ARN field (the model's RoleArn).
func checkRoleArn(field, arn string) error {
	if arn != "" && (len(arn) < 20 || len(arn) > 2048 || !roleArn.MatchString(arn)) {
		return Errorf(CodeBadRequest, "%s %q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", field, arn)
	}
	return nil
}

// checkKmsKey validates KmsKeyIdentifier (a key id, alias or ARN; stored and
// shown, nothing is encrypted with it). Empty is allowed where allowEmpty
// (UpdateConfigurationProfile clears it so).
func checkKmsKey(id string, allowEmpty bool) error {
	if (id == "" && !allowEmpty) || len(id) > 2048 {
		return Errorf(CodeBadRequest, "KmsKeyIdentifier must be 1 to 2048 characters")
	}
	return nil
}

// hostedOnly refuses to serve the content of a profile whose configuration
// lives outside baton.
func hostedOnly(p *ConfigurationProfile) error {
	if p.LocationURI == LocationHosted {
		return nil
	}
	return Errorf(CodeBadRequest,
		"configuration profile %s has LocationUri %s: baton serves hosted configurations only (LocationUri \"hosted\"), it cannot read configurations from S3, SSM, Secrets Manager or CodePipeline",
		p.ID, p.LocationURI)
}
