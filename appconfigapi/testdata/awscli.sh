#!/usr/bin/env bash
# Drives baton's AppConfig face with the AWS CLI. Needs BATON_URL, BATON_TOKEN
# and a scratch directory TMPDIR. Exits non-zero on the first failure.
set -euo pipefail

ac() { aws --endpoint-url "$BATON_URL" --region us-east-1 appconfig "$@"; }
acd() { aws --endpoint-url "$BATON_URL" --region us-east-1 appconfigdata "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
want() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

# wait_state N STATE: poll get-deployment until the deployment is in STATE.
wait_state() {
	for _ in $(seq 1 200); do
		s=$(ac get-deployment --application-id "$APP" --environment-id "$ENV" --deployment-number "$1" --query State --output text)
		[ "$s" = "$2" ] && return 0
		sleep 0.05
	done
	fail "deployment $1 is $s, want $2"
}

# latest: a fresh session's first poll, printed.
latest() {
	tok=$(acd start-configuration-session --application-identifier cli --environment-identifier prod \
		--configuration-profile-identifier ui --query InitialConfigurationToken --output text)
	acd get-latest-configuration --configuration-token "$tok" "$TMPDIR/latest" >/dev/null
	cat "$TMPDIR/latest"
}

APP=$(ac create-application --name cli --query Id --output text)
[[ "$APP" =~ ^[a-z0-9]{7}$ ]] || fail "application id $APP"
ENV=$(ac create-environment --application-id "$APP" --name prod \
	--monitors AlarmArn=arn:aws:cloudwatch:us-east-1:000000000000:alarm:cli-errors --query Id --output text)
want "$(ac get-environment --application-id "$APP" --environment-id "$ENV" --query State --output text)" ReadyForDeployment "new environment"
cat >"$TMPDIR/validators.json" <<'JSON'
[{"Type":"JSON_SCHEMA","Content":"{\"type\":\"object\",\"required\":[\"color\"]}"}]
JSON
PROF=$(ac create-configuration-profile --application-id "$APP" --name ui --location-uri hosted \
	--validators "file://$TMPDIR/validators.json" --query Id --output text)

printf '{"color":"red"}' >"$TMPDIR/v1.json"
printf '{"color":"blue"}' >"$TMPDIR/v2.json"
printf '{"colour":"blue"}' >"$TMPDIR/bad.json"
ac create-hosted-configuration-version --application-id "$APP" --configuration-profile-id "$PROF" \
	--content "fileb://$TMPDIR/v1.json" --content-type application/json --description first "$TMPDIR/out" >/dev/null
ac create-hosted-configuration-version --application-id "$APP" --configuration-profile-id "$PROF" \
	--content "fileb://$TMPDIR/v2.json" --content-type application/json --latest-version-number 1 "$TMPDIR/out" >/dev/null
if ac create-hosted-configuration-version --application-id "$APP" --configuration-profile-id "$PROF" \
	--content "fileb://$TMPDIR/bad.json" --content-type application/json "$TMPDIR/out" 2>"$TMPDIR/err"; then
	fail "invalid content accepted"
fi
grep -q BadRequestException "$TMPDIR/err" || fail "invalid content: $(cat "$TMPDIR/err")"

FAST=$(ac create-deployment-strategy --name fast --deployment-duration-in-minutes 0 \
	--final-bake-time-in-minutes 0 --growth-factor 100 --query Id --output text)
SLOW=$(ac create-deployment-strategy --name slow --deployment-duration-in-minutes 20 \
	--final-bake-time-in-minutes 5 --growth-factor 10 --growth-type EXPONENTIAL --query Id --output text)
start() {
	ac start-deployment --application-id "$APP" --environment-id "$ENV" --configuration-profile-id "$PROF" \
		--deployment-strategy-id "$1" --configuration-version "$2" --query DeploymentNumber --output text
}

N=$(start "$FAST" 1)
wait_state "$N" COMPLETE
ac wait deployment-complete --application-id "$APP" --environment-id "$ENV" --deployment-number "$N"
ac wait environment-ready-for-deployment --application-id "$APP" --environment-id "$ENV"
want "$(latest)" '{"color":"red"}' "data after first deployment"

N=$(start "$SLOW" 2)
if start "$FAST" 2 2>"$TMPDIR/err"; then fail "concurrent deployment accepted"; fi
grep -q ConflictException "$TMPDIR/err" || fail "concurrent deployment: $(cat "$TMPDIR/err")"
want "$(ac stop-deployment --application-id "$APP" --environment-id "$ENV" --deployment-number "$N" --query State --output text)" ROLLED_BACK "stop"
want "$(ac get-environment --application-id "$APP" --environment-id "$ENV" --query State --output text)" RolledBack "environment after stop"

N=$(start "$SLOW" 2)
curl -fsS -X PUT -H "x-token: $BATON_TOKEN" -d '{"State":"ALARM"}' "$BATON_URL/baton/v1/alarms/cli-errors" >/dev/null
wait_state "$N" ROLLED_BACK
want "$(ac get-deployment --application-id "$APP" --environment-id "$ENV" --deployment-number "$N" \
	--query 'EventLog[0].TriggeredBy' --output text)" CLOUDWATCH_ALARM "alarm rollback"
curl -fsS -X PUT -H "x-token: $BATON_TOKEN" -d '{"State":"OK"}' "$BATON_URL/baton/v1/alarms/cli-errors" >/dev/null

N=$(start "$FAST" 2)
wait_state "$N" COMPLETE
want "$(latest)" '{"color":"blue"}' "data after second deployment"
want "$(ac stop-deployment --application-id "$APP" --environment-id "$ENV" --deployment-number "$N" --allow-revert \
	--query State --output text)" REVERTED "revert"
want "$(latest)" '{"color":"red"}' "data after revert"

ac delete-deployment-strategy --deployment-strategy-id "$FAST"
if ac get-deployment-strategy --deployment-strategy-id "$FAST" 2>"$TMPDIR/err"; then fail "strategy not deleted"; fi
grep -q ResourceNotFoundException "$TMPDIR/err" || fail "deleted strategy: $(cat "$TMPDIR/err")"
echo "awscli: ok"
