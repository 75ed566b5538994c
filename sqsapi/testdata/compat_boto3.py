"""Drives baton with boto3: STS get_caller_identity, add/remove_permission and
a FIFO receive across message groups. Needs BATON_URL, ACCOUNT and AWS
credentials in the environment."""
import json
import os

import boto3

url, account = os.environ["BATON_URL"], os.environ["ACCOUNT"]
session = boto3.session.Session(region_name="us-east-1")
sts = session.client("sts", endpoint_url=url)
sqs = session.client("sqs", endpoint_url=url)

me = sts.get_caller_identity()
assert (me["Account"], me["UserId"]) == (account, os.environ["AWS_ACCESS_KEY_ID"]), me
assert me["Arn"] == f"arn:aws:iam::{account}:user/{me['UserId']}", me

q = sqs.create_queue(QueueName="boto3-shared")["QueueUrl"]
sqs.add_permission(QueueUrl=q, Label="share", AWSAccountIds=["111122223333", "444455556666"], Actions=["SendMessage"])
policy = json.loads(sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"]["Policy"])
assert policy["Statement"] == [{
    "Sid": "share", "Effect": "Allow",
    "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
    "Action": "SQS:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{account}:boto3-shared",
}], policy
try:
    sqs.add_permission(QueueUrl=q, Label="share", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    raise AssertionError("a second permission with the same label was accepted")
except sqs.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidParameterValue", e.response
sqs.remove_permission(QueueUrl=q, Label="share")
assert "Policy" not in sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"]).get("Attributes", {})

f = sqs.create_queue(QueueName="boto3.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
for body, group in [("g1-a", "g1"), ("g2-a", "g2"), ("g1-b", "g1"), ("g2-b", "g2")]:
    sqs.send_message(QueueUrl=f, MessageBody=body, MessageGroupId=group)
got = [m["Body"] for m in sqs.receive_message(QueueUrl=f, MaxNumberOfMessages=10)["Messages"]]
assert got == ["g1-a", "g1-b", "g2-a", "g2-b"], got
print("boto3: ok")
