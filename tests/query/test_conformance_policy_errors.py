"""A refused policy document is answered in AWS's words: the first problem AWS's own order of checks meets."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from policies.language.aws_messages import aws_policy_error

BUCKET = "arn:aws:s3:::example_bucket"


def _statement(**fields) -> dict:
    return {"Version": "2012-10-17", "Statement": {"Effect": "Allow", **fields}}


CASES = [
    ("not-json", "This is not a json document", "Syntax errors in policy."),
    ("extra-element", {**_statement(Action="s3:ListBucket", Resource=BUCKET), "Extra": "x"},
     "Syntax errors in policy."),
    ("unknown-effect", _statement(Effect="invalid", Action="s3:ListBucket", Resource=BUCKET),
     "Syntax errors in policy."),
    ("action-and-notaction", _statement(Action="s3:ListBucket", NotAction="s3:GetObject", Resource=BUCKET),
     "Syntax errors in policy."),
    ("condition-not-an-object", _statement(Action="s3:ListBucket", Resource=BUCKET, Condition=[]),
     "Syntax errors in policy."),
    ("old-version", {"Version": "2008-10-17", "Statement": {"Effect": "denY", "Action": "s3:ListBucket",
                                                            "Resource": BUCKET}},
     "Policy document must be version 2012-10-17 or greater."),
    ("effect-case", _statement(Effect="aLLow", Action="s3:ListBucket", Resource=BUCKET),
     "The policy failed legacy parsing"),
    ("unreadable-date", _statement(Action="s3:ListBucket", Resource=BUCKET,
                                   Condition={"DateGreaterThan": {"aws:CurrentTime": "sdfdsf"}}),
     "The policy failed legacy parsing"),
    ("five-part-arn", _statement(Action="s3:ListBucket", Resource="arn:aws:s3::example_bucket"),
     "The policy failed legacy parsing"),
    ("duplicate-sid", {"Version": "2012-10-17", "Statement": [
        {"Sid": "same", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET},
        {"Sid": "same", "Effect": "Allow", "Action": "s3:GetObject", "Resource": BUCKET}]},
     "Statement IDs (SID) in a single policy must be unique."),
    ("no-action", _statement(Resource=BUCKET), "Policy statement must contain actions."),
    ("no-resource", _statement(Action="s3:ListBucket"), "Policy statement must contain resources."),
    ("no-vendor", _statement(Action="invalid", Resource=BUCKET),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ("two-colons", _statement(Action="s3:List:Bucket", Resource=BUCKET),
     "Actions/Condition can contain only one colon."),
    ("bad-vendor", _statement(Action="a a:ListBucket", Resource=BUCKET), "Vendor a a is not valid"),
    ("not-an-arn", _statement(Action="s3:ListBucket", Resource="invalid resource"),
     'Resource invalid resource must be in ARN format or "*".'),
    ("bad-partition", _statement(Action="s3:ListBucket", Resource="aws:s3:::example_bucket"),
     'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'),
    ("iam-region", _statement(Action="iam:GetUser", Resource="arn:aws:iam:us-east-1::user/x"),
     "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."),
]


@pytest.mark.parametrize(("document", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_refused_policy_is_answered_in_aws_words(iam, document, message):
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="refused", PolicyDocument=text)
    error = excinfo.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("MalformedPolicyDocument", message)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_inline_policies_are_answered_alike(iam):
    iam.create_user(UserName="holder")
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_policy(UserName="holder", PolicyName="inline",
                            PolicyDocument=json.dumps(_statement(Action="s3:ListBucket")))
    assert excinfo.value.response["Error"]["Message"] == "Policy statement must contain resources."


@pytest.mark.parametrize("document", [
    _statement(Action="s3:ListBucket", Resource=[BUCKET, "*"]),
    _statement(Action="s3.s:ListBucket", Resource=BUCKET),
    _statement(Action="kms:CreateGrant", Resource=["arn:aws:kms:*:123456789012:key/*", None]),
    _statement(Action="s3:GetObject", Resource="arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point"),
    _statement(Action="s3:ListBucket", Resource=BUCKET, Condition={"DateLessThan": {"a": "-292275054"}}),
])
def test_documents_aws_accepts_raise_no_aws_message(document):
    assert aws_policy_error(json.dumps(document)) is None
