#!/usr/bin/env bash
# Drives the ARN, tag and LocationUri behaviour of baton's AppConfig face with
# the AWS CLI, against a baton started with --aws-account 123456789012
# --aws-region eu-west-1. Exits non-zero on the first failure.
set -euo pipefail

ac() { aws --endpoint-url "$BATON_URL" --region eu-west-1 appconfig "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
want() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

APP=$(ac create-application --name arns --tags team=web --query Id --output text)
want "$(ac list-tags-for-resource --resource-arn "arn:aws:appconfig:eu-west-1:123456789012:application/$APP" --query Tags.team --output text)" \
	web "create-time tag through the configured ARN"

ENV=$(ac create-environment --application-id "$APP" --name prod --query Id --output text)
PROFILE=$(ac create-configuration-profile --application-id "$APP" --name params \
	--location-uri ssm-parameter://Example-Parameter --retrieval-role-arn arn:aws:iam::123456789012:role/appconfig-read \
	--query Id --output text)
if ac create-configuration-profile --application-id "$APP" --name bad --location-uri luri 2>"$TMPDIR/err"; then
	fail "LocationUri luri accepted"
fi
grep -q BadRequestException "$TMPDIR/err" || fail "bad LocationUri: $(cat "$TMPDIR/err")"

if ac start-deployment --application-id "$APP" --environment-id "$ENV" --configuration-profile-id "$PROFILE" \
	--deployment-strategy-id AppConfig.AllAtOnce --configuration-version 1 2>"$TMPDIR/err"; then
	fail "deployment of an SSM parameter profile started"
fi
grep -q "hosted configurations only" "$TMPDIR/err" || fail "deploying a non-hosted profile: $(cat "$TMPDIR/err")"

want "$(ac get-account-settings --query DeletionProtection.ProtectionPeriodInMinutes --output text)" 60 "account settings"
echo "ok"
