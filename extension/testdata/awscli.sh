#!/usr/bin/env bash
# The reference user's flow with the AWS CLI: a queue whose policy lets
# AppConfig send, the AWS-authored SQS extension associated with an
# application, a deployment, and its events received from the queue.
# Needs BATON_URL and a scratch directory TMPDIR.
set -euo pipefail

ac() { aws --endpoint-url "$BATON_URL" --region us-east-1 appconfig "$@"; }
sq() { aws --endpoint-url "$BATON_URL" --region us-east-1 sqs "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

QARN=arn:aws:sqs:us-east-1:000000000000:cli-events
cat >"$TMPDIR/attrs.json" <<JSON
{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"appconfig.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"$QARN\"}]}"}
JSON
QURL=$(sq create-queue --queue-name cli-events --attributes "file://$TMPDIR/attrs.json" --query QueueUrl --output text)

APP=$(ac create-application --name MyApp --query Id --output text)
ENV=$(ac create-environment --application-id "$APP" --name MyEnv --query Id --output text)
PROF=$(ac create-configuration-profile --application-id "$APP" --name MyConfigProfile --location-uri hosted --query Id --output text)
printf '{"on":true}' >"$TMPDIR/v1.json"
ac create-hosted-configuration-version --application-id "$APP" --configuration-profile-id "$PROF" \
	--content "fileb://$TMPDIR/v1.json" --content-type application/json "$TMPDIR/out" >/dev/null
STRAT=$(ac create-deployment-strategy --name now --deployment-duration-in-minutes 0 --growth-factor 100 \
	--final-bake-time-in-minutes 0 --query Id --output text)

ac list-extensions --query 'Items[].Id' --output text | grep -q AWS.AppConfig.DeploymentNotificationsToSqs ||
	fail "list-extensions lacks the SQS extension"
ASSOC=$(ac create-extension-association --extension-identifier AWS.AppConfig.DeploymentNotificationsToSqs \
	--resource-identifier "arn:aws:appconfig:us-east-1:000000000000:application/$APP" \
	--parameters "queueArn=$QARN" --query Id --output text)
[[ "$ASSOC" =~ ^[a-z0-9]{7}$ ]] || fail "association id $ASSOC"
ac list-extension-associations --resource-identifier "arn:aws:appconfig:us-east-1:000000000000:application/$APP" \
	--query 'Items[].Id' --output text | grep -q "$ASSOC" || fail "association not listed"

ac start-deployment --application-id "$APP" --environment-id "$ENV" --configuration-profile-id "$PROF" \
	--deployment-strategy-id "$STRAT" --configuration-version 1 >/dev/null

got=""
for _ in $(seq 1 50); do
	got+=$(sq receive-message --queue-url "$QURL" --max-number-of-messages 10 --wait-time-seconds 1 \
		--query 'Messages[].Body' --output text)
	[[ "$got" == *OnDeploymentComplete* ]] && break
done
[[ "$got" == *'"Type":"OnDeploymentStart"'* ]] || fail "no OnDeploymentStart in: $got"
[[ "$got" == *'"Type":"OnDeploymentComplete"'* ]] || fail "no OnDeploymentComplete in: $got"
[[ "$got" == *"\"Application\":{\"Id\":\"$APP\",\"Name\":\"MyApp\"}"* ]] || fail "application missing in: $got"
INV=$(ac get-deployment --application-id "$APP" --environment-id "$ENV" --deployment-number 1 \
	--query 'EventLog[].ActionInvocations[].InvocationId' --output text)
for i in $INV; do [[ "$got" == *"\"InvocationId\":\"$i\""* ]] || fail "invocation $i not received"; done
echo "OK: received $got"
