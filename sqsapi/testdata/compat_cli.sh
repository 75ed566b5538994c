#!/usr/bin/env bash
# Drives baton with the AWS CLI named by $AWS_CLI: STS get-caller-identity,
# AddPermission and a FIFO receive across message groups.
# Needs BATON_URL, ACCOUNT, PREFIX and AWS credentials in the environment.
set -euo pipefail
aws() { "$AWS_CLI" --endpoint-url "$BATON_URL" --region us-east-1 --output text "$@"; }
want() {
	if [ "$1" != "$2" ]; then
		printf 'FAIL %s:\n got  %s\n want %s\n' "$3" "$1" "$2" >&2
		exit 1
	fi
}

want "$(aws sts get-caller-identity --query '[Account,UserId]')" "$ACCOUNT	$AWS_ACCESS_KEY_ID" "sts get-caller-identity"

q=$(aws sqs create-queue --queue-name "$PREFIX-shared" --query QueueUrl)
arn="arn:aws:sqs:us-east-1:$ACCOUNT:$PREFIX-shared"
aws sqs add-permission --queue-url "$q" --label share --aws-account-ids 111122223333 --actions SendMessage ReceiveMessage
want "$(aws sqs get-queue-attributes --queue-url "$q" --attribute-names Policy --query Attributes.Policy)" \
	'{"Version":"2008-10-17","Id":"'"$arn"'/SQSDefaultPolicy","Statement":[{"Sid":"share","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["SQS:SendMessage","SQS:ReceiveMessage"],"Resource":"'"$arn"'"}]}' \
	"policy after add-permission"

f=$(aws sqs create-queue --queue-name "$PREFIX.fifo" --attributes FifoQueue=true,ContentBasedDeduplication=true --query QueueUrl)
aws sqs send-message-batch --queue-url "$f" --entries \
	Id=1,MessageBody=g1-a,MessageGroupId=g1 Id=2,MessageBody=g2-a,MessageGroupId=g2 Id=3,MessageBody=g1-b,MessageGroupId=g1 >/dev/null
want "$(aws sqs receive-message --queue-url "$f" --max-number-of-messages 10 --query 'Messages[].Body')" "g1-a	g1-b	g2-a" "fifo receive"
echo "$PREFIX: ok"
