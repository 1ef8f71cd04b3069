"""Access Analyzer's policy checks through boto3's accessanalyzer client: a table of policy pairs with AWS's verdict,
AWS's errors, and the call sequence policy-validator tools make against an endpoint override."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.policies.conftest import allow, deny, document
from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def analyzer(live_server, root_credentials):
    def make(*, validate: bool = True, key: tuple[str, str] | None = None):
        key = key or (root_credentials.access_key_id, root_credentials.secret_access_key)
        return client_for(live_server, "accessanalyzer", *key, validate=validate)
    return make


S3_READ = document(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]))
EVERYTHING_BUT_IAM = document(allow("*"), deny("iam:*"))

# (name, new policy, existing policy, expected result)
NO_NEW_ACCESS = [
    ("same policy", S3_READ, S3_READ, "PASS"),
    ("one action fewer", document(allow("s3:GetObject", "arn:aws:s3:::reports/*")), S3_READ, "PASS"),
    ("an action more", document(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*")), S3_READ, "FAIL"),
    ("a wider resource", document(allow("s3:GetObject", "arn:aws:s3:::*")), S3_READ, "FAIL"),
    ("a condition added", document(allow("s3:GetObject", "arn:aws:s3:::reports/*",
                                         Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})), S3_READ, "PASS"),
    ("a condition dropped", S3_READ, document(allow(["s3:GetObject", "s3:ListBucket"],
                                                    ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
                                                    Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
     "FAIL"),
    ("a deny removed", document(allow("*")), EVERYTHING_BUT_IAM, "FAIL"),
    ("a deny added", document(allow("*"), deny("iam:*"), deny("s3:DeleteBucket")), EVERYTHING_BUT_IAM, "PASS"),
    ("wildcard instead of the list", document(allow("s3:Get*", "arn:aws:s3:::reports/*")), S3_READ, "FAIL"),
]


@pytest.mark.parametrize("name, new, existing, expected", NO_NEW_ACCESS, ids=[row[0] for row in NO_NEW_ACCESS])
def test_check_no_new_access_table(analyzer, name, new, existing, expected):
    answer = analyzer().check_no_new_access(newPolicyDocument=new, existingPolicyDocument=existing,
                                            policyType="IDENTITY_POLICY")
    assert answer["result"] == expected, answer
    if expected == "FAIL":
        reason = answer["reasons"][0]
        assert "statementIndex" in reason and "For example, " in reason["description"]
    else:
        assert answer.get("reasons", []) == []
    assert "counterexample" not in answer  # the wire carries AWS's members only


ACCESS_NOT_GRANTED = [
    ("listed action granted", S3_READ, {"actions": ["s3:GetObject"]}, "FAIL"),
    ("listed action not granted", S3_READ, {"actions": ["s3:PutObject", "iam:PassRole"]}, "PASS"),
    ("action on another resource", S3_READ, {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::other/*"]},
     "PASS"),
    ("any action on a listed resource", S3_READ, {"resources": ["arn:aws:s3:::reports/2026/q1.csv"]}, "FAIL"),
    ("denied by the policy itself", EVERYTHING_BUT_IAM, {"actions": ["iam:CreateUser"]}, "PASS"),
]


@pytest.mark.parametrize("name, policy, access, expected", ACCESS_NOT_GRANTED, ids=[r[0] for r in ACCESS_NOT_GRANTED])
def test_check_access_not_granted_table(analyzer, name, policy, access, expected):
    answer = analyzer().check_access_not_granted(policyDocument=policy, access=[access],
                                                 policyType="IDENTITY_POLICY")
    assert answer["result"] == expected, answer


PUBLIC = document(allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*"))
ORG_ONLY = document(allow("s3:GetObject", "arn:aws:s3:::site/*", Principal="*",
                          Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}))
ONE_ACCOUNT = document(allow("s3:GetObject", "arn:aws:s3:::site/*",
                             Principal={"AWS": "arn:aws:iam::111122223333:root"}))


@pytest.mark.parametrize("policy, expected", [(PUBLIC, "FAIL"), (ORG_ONLY, "PASS"), (ONE_ACCOUNT, "PASS")])
def test_check_no_public_access(analyzer, policy, expected):
    answer = analyzer().check_no_public_access(policyDocument=policy, resourceType="AWS::S3::Bucket")
    assert answer["result"] == expected


def test_validate_policy_finds_and_locates_through_boto3(analyzer):
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}, indent=2)
    client = analyzer()
    findings = client.validate_policy(policyDocument=text, policyType="IDENTITY_POLICY", locale="EN")["findings"]
    finding = next(f for f in findings if f["issueCode"] == "PASS_ROLE_WITH_STAR_RESOURCE")
    assert finding["findingType"] == "SECURITY_WARNING" and finding["learnMoreLink"].startswith("https://")
    span = finding["locations"][0]["span"]
    assert text[span["start"]["offset"]:span["end"]["offset"]] == '"iam:PassRole"'
    pages = list(client.get_paginator("validate_policy").paginate(
        policyDocument=text, policyType="IDENTITY_POLICY", PaginationConfig={"PageSize": 1}))
    assert [f for page in pages for f in page["findings"]] == findings


def _error(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_malformed_and_oversized_policies_are_refused_with_aws_errors(analyzer):
    client = analyzer()
    with pytest.raises(ClientError) as refused:
        client.check_no_new_access(newPolicyDocument="{not json", existingPolicyDocument=S3_READ,
                                   policyType="IDENTITY_POLICY")
    assert _error(refused) == (400, "InvalidParameterException")
    huge = document(*[allow(f"s3:Get{i:05d}x", f"arn:aws:s3:::b{i}/*") for i in range(400)])
    with pytest.raises(ClientError) as refused:
        client.check_no_new_access(newPolicyDocument=huge, existingPolicyDocument=S3_READ,
                                   policyType="IDENTITY_POLICY")
    assert _error(refused) == (400, "ValidationException")
    assert refused.value.response["reason"] == "fieldValidationFailed"
    assert refused.value.response["fieldList"][0]["name"] == "newPolicyDocument"
    with pytest.raises(ClientError) as refused:
        client.check_access_not_granted(policyDocument=S3_READ, access=[{}], policyType="IDENTITY_POLICY")
    assert _error(refused) == (400, "ValidationException")
    with pytest.raises(ClientError) as refused:
        client.validate_policy(policyDocument=S3_READ, policyType="IDENTITY_POLICY",
                               validatePolicyResourceType="AWS::S3::Bucket")
    assert _error(refused) == (400, "ValidationException")


def test_a_caller_without_permission_is_refused_with_access_denied(analyzer, make_user):
    user = make_user("nobody", access_key=True)
    with pytest.raises(ClientError) as refused:
        analyzer(key=user.test_access_key).check_no_new_access(
            newPolicyDocument=S3_READ, existingPolicyDocument=S3_READ, policyType="IDENTITY_POLICY")
    assert _error(refused) == (403, "AccessDeniedException")


def test_a_policy_validator_pipeline_runs_against_the_directory(analyzer, make_user, root_caller):
    """What cfn-policy-validator and tf-policy-validator do with an endpoint override: validate each policy, stop on
    ERROR or SECURITY_WARNING findings, then run the custom checks they were asked for."""
    from directory.services import inline

    user = make_user("pipeline", access_key=True)
    inline.put_user_policy(caller=root_caller, user_name="pipeline", policy_name="checks", policy_document=document(
        allow(["access-analyzer:ValidatePolicy", "access-analyzer:Check*"])))
    client = analyzer(key=user.test_access_key)
    candidate = document(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*"))
    blocking = [f for f in client.validate_policy(policyDocument=candidate, policyType="IDENTITY_POLICY")["findings"]
                if f["findingType"] in ("ERROR", "SECURITY_WARNING")]
    assert blocking == []
    assert client.check_no_new_access(newPolicyDocument=candidate, existingPolicyDocument=S3_READ,
                                      policyType="IDENTITY_POLICY")["result"] == "FAIL"
    assert client.check_access_not_granted(policyDocument=candidate, access=[{"actions": ["s3:DeleteObject"]}],
                                           policyType="IDENTITY_POLICY")["result"] == "PASS"
    assert client.check_no_public_access(policyDocument=ONE_ACCOUNT, resourceType="AWS::S3::Bucket")["result"] == \
        "PASS"

