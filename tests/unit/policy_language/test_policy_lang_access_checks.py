"""Custom policy checks on a table of labelled policy pairs; every FAIL's counterexample is confirmed by evaluate()."""

from __future__ import annotations

import json

import pytest

from policies.language import Request, compile_policy, evaluate, evaluate_resource_policy
from policies.language.access_checks import (
    PolicyCheckError,
    check_access_not_granted,
    check_no_new_access,
    check_no_public_access,
)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: object, resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: object, resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


EVERYTHING = allow("*")
SENSITIVE_ROLE = "arn:aws:iam::*:role/Sensitive"
GUARD_ROLE = doc(EVERYTHING, deny(["iam:PassRole", "iam:DeleteRole", "iam:AttachRolePolicy"], SENSITIVE_ROLE))
NEEDS_TAG = doc(EVERYTHING, deny("ec2:RunInstances", Condition={"Null": {"aws:RequestTag/cost-center": "true"}}))
NEEDS_RESOURCE_TAG = doc(EVERYTHING, deny("ec2:TerminateInstances",
                                          Condition={"Null": {"aws:ResourceTag/owner": "true"}}))
S3_READ = doc(allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]))
MFA_ADMIN = doc(allow("iam:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
OFFICE_ONLY = doc(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))

# (name, new policy, existing policy, expected)
IDENTITY_PAIRS = [
    ("identical policies", S3_READ, S3_READ, "PASS"),
    ("narrower action list", doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")), S3_READ, "PASS"),
    ("extra action", doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*")), S3_READ, "FAIL"),
    ("extra resource", doc(allow("s3:GetObject", ["arn:aws:s3:::reports/*", "arn:aws:s3:::other/*"])), S3_READ,
     "FAIL"),
    ("resource wildcard widened", doc(allow("s3:GetObject", "arn:aws:s3:::rep*")), S3_READ, "FAIL"),
    ("statements reordered and merged", doc(allow(["s3:ListBucket", "s3:GetObject"],
                                                  ["arn:aws:s3:::reports/*", "arn:aws:s3:::reports"])), S3_READ, "PASS"),
    ("case of action names does not matter", doc(allow("S3:getobject", "arn:aws:s3:::reports/*")), S3_READ, "PASS"),
    ("resource ARNs are case-sensitive", doc(allow("s3:GetObject", "arn:aws:s3:::Reports/*")), S3_READ, "FAIL"),
    ("service wildcard against the catalogue", doc(allow("iam:Get*")), doc(allow("iam:*")), "PASS"),
    ("question-mark wildcard is one character", doc(allow("iam:?etUser")), doc(allow(["iam:GetUser"])), "PASS"),
    ("star wildcard in the middle", doc(allow("iam:*User*")), doc(allow("iam:*User")), "FAIL"),
    ("NotAction allow is wider than a list", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
     doc(allow(["s3:*", "ec2:*"])), "FAIL"),
    ("NotAction allow within everything", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
     doc(EVERYTHING), "PASS"),
    ("NotResource allow", doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}),
     doc(allow("s3:*", "arn:aws:s3:::public/*")), "FAIL"),
    ("removed deny is new access", doc(EVERYTHING), GUARD_ROLE, "FAIL"),
    ("deny kept", doc(allow("iam:*"), deny("*", SENSITIVE_ROLE)), GUARD_ROLE, "PASS"),
    ("deny narrowed to fewer actions", doc(EVERYTHING, deny("iam:PassRole", SENSITIVE_ROLE)), GUARD_ROLE, "FAIL"),
    ("deny widened", doc(EVERYTHING, deny("iam:*", "arn:aws:iam::*:role/*")), GUARD_ROLE, "PASS"),
    ("sensitive role reached through a wildcard", doc(allow("iam:PassRole", "arn:aws:iam::*:role/*Sens*")),
     GUARD_ROLE, "FAIL"),
    ("other role only", doc(allow(["iam:PassRole", "iam:DeleteRole"], "arn:aws:iam::*:role/Ordinary")), GUARD_ROLE,
     "PASS"),
    ("tag required by StringEquals", doc(allow("ec2:RunInstances",
                                               Condition={"StringEquals": {"aws:RequestTag/cost-center": "42"}})),
     NEEDS_TAG, "PASS"),
    ("tag required by Null false", doc(allow("ec2:RunInstances",
                                             Condition={"Null": {"aws:RequestTag/cost-center": "false"}})),
     NEEDS_TAG, "PASS"),
    ("tag not required", doc(allow("ec2:RunInstances")), NEEDS_TAG, "FAIL"),
    ("tag optional with IfExists", doc(allow("ec2:RunInstances", Condition={
        "StringEqualsIfExists": {"aws:RequestTag/cost-center": "42"}})), NEEDS_TAG, "FAIL"),
    ("deny without the tag in the new policy", doc(allow("ec2:RunInstances"), deny("ec2:RunInstances", Condition={
        "StringNotEquals": {"aws:RequestTag/cost-center": "42"}})), NEEDS_TAG, "PASS"),
    ("resource tag required", doc(allow("ec2:TerminateInstances", Condition={
        "StringLike": {"aws:ResourceTag/owner": "*"}})), NEEDS_RESOURCE_TAG, "PASS"),
    ("all of ec2", doc(allow("ec2:*")), NEEDS_RESOURCE_TAG, "FAIL"),
    ("MFA condition kept", doc(allow("iam:Get*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
     MFA_ADMIN, "PASS"),
    ("MFA condition dropped", doc(allow("iam:GetUser")), MFA_ADMIN, "FAIL"),
    ("MFA condition inverted", doc(allow("iam:GetUser", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
     MFA_ADMIN, "FAIL"),
    ("narrower CIDR", doc(allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.128/25"}})),
     OFFICE_ONLY, "PASS"),
    ("wider CIDR", doc(allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "203.0.0.0/16"}})),
     OFFICE_ONLY, "FAIL"),
    ("NotIpAddress is not a restriction to the office", doc(allow("s3:GetObject", Condition={
        "NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}})), OFFICE_ONLY, "FAIL"),
    ("numeric bound tightened", doc(allow("sts:AssumeRole", Condition={
        "NumericLessThan": {"aws:MultiFactorAuthAge": "600"}})),
     doc(allow("sts:AssumeRole", Condition={"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}})), "PASS"),
    ("numeric bound loosened at the edge", doc(allow("sts:AssumeRole", Condition={
        "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}})),
     doc(allow("sts:AssumeRole", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})), "FAIL"),
    ("date window inside", doc(allow("s3:GetObject", Condition={
        "DateGreaterThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"},
        "DateLessThan": {"aws:CurrentTime": "2026-03-01T00:00:00Z"}})),
     doc(allow("s3:GetObject", Condition={"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                                          "DateLessThan": {"aws:CurrentTime": "2026-06-01T00:00:00Z"}})), "PASS"),
    ("date window extended", doc(allow("s3:GetObject", Condition={
        "DateLessThan": {"aws:CurrentTime": "2026-09-01T00:00:00Z"}})),
     doc(allow("s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": "2026-06-01T00:00:00Z"}})), "FAIL"),
    ("StringLike prefix narrower", doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": "home/alice/*"}})),
     doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": "home/*"}})), "PASS"),
    ("StringLike prefix wider", doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": "*"}})),
     doc(allow("s3:ListBucket", Condition={"StringLike": {"s3:prefix": "home/*"}})), "FAIL"),
    ("ArnLike fields matched one by one", doc(allow("iam:PassRole", Condition={
        "ArnLike": {"aws:SourceArn": "arn:aws:lambda:eu-west-1:111122223333:function:*"}})),
     doc(allow("iam:PassRole", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:111122223333:*"}})),
     "PASS"),
    ("ForAllValues subset of tag keys", doc(allow("iam:TagUser", Condition={
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})),
     doc(allow("iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project"]}})),
     "PASS"),
    ("ForAnyValue is weaker than ForAllValues", doc(allow("iam:TagUser", Condition={
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})),
     doc(allow("iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "project"]}})),
     "FAIL"),
    ("ignore-case equality within case-sensitive set", doc(allow("s3:GetObject", Condition={
        "StringEqualsIgnoreCase": {"aws:PrincipalTag/dept": "ops"}})),
     doc(allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/dept": ["ops", "OPS"]}})), "FAIL"),
    ("policy variable resource kept", doc(allow("iam:ChangePassword", "arn:aws:iam::*:user/${aws:username}")),
     doc(allow(["iam:ChangePassword", "iam:GetUser"], "arn:aws:iam::*:user/${aws:username}")), "PASS"),
    ("policy variable resource widened", doc(allow("iam:ChangePassword", "arn:aws:iam::*:user/*")),
     doc(allow("iam:ChangePassword", "arn:aws:iam::*:user/${aws:username}")), "FAIL"),
    ("unknown service action", doc(allow("example:DoThing")), doc(allow("example:Do*")), "PASS"),
    ("unknown service wildcard", doc(allow("example:*")), doc(allow("example:Do*")), "FAIL"),
]


def _confirm_identity(new: str, old: str, result) -> None:  # type: ignore[no-untyped-def]
    example = result.counterexample
    assert example is not None, result
    request = Request(example.action, example.resource, example.context)
    assert evaluate(request, [compile_policy(new, "confirm-new", str(hash(new)))]).allowed
    assert not evaluate(request, [compile_policy(old, "confirm-old", str(hash(old)))]).allowed


@pytest.mark.parametrize(("name", "new", "existing", "expected"), IDENTITY_PAIRS, ids=[p[0] for p in IDENTITY_PAIRS])
def test_check_no_new_access_identity_pairs(name: str, new: str, existing: str, expected: str) -> None:
    result = check_no_new_access(new, existing, "IDENTITY_POLICY")
    assert result.result == expected, (name, result)
    if expected == "FAIL":
        assert result.proven
        _confirm_identity(new, existing, result)
    else:
        assert result.reasons == () and result.counterexample is None


ACCOUNT_A, ACCOUNT_B = "111111111111", "222222222222"
TRUST_ALLOWLIST = doc(
    {"Effect": "Allow", "Principal": {"AWS": [ACCOUNT_A, ACCOUNT_B]}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": "*", "NotAction": "sts:AssumeRole"},
)
PRIVILEGED = f"arn:aws:iam::{ACCOUNT_A}:role/Writer"
BUCKET_WRITERS = doc(
    {"Effect": "Allow", "Principal": {"AWS": PRIVILEGED}, "Action": "s3:PutObject", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "*",
     "Condition": {"ArnEquals": {"aws:PrincipalArn": PRIVILEGED}}},
    {"Effect": "Allow", "Principal": "*", "NotAction": "s3:PutObject", "Resource": "*"},
)
OBJECTS = "arn:aws:s3:::uploads/*"

RESOURCE_PAIRS = [
    ("allowlisted account", doc({"Effect": "Allow", "Principal": {"AWS": ACCOUNT_A}, "Action": "sts:AssumeRole"}),
     TRUST_ALLOWLIST, "PASS"),
    ("role in an allowlisted account", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_B}:role/R"},
                                            "Action": "sts:AssumeRole"}), TRUST_ALLOWLIST, "PASS"),
    ("account root ARN", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:root"},
                              "Action": "sts:AssumeRole"}), TRUST_ALLOWLIST, "PASS"),
    ("other account", doc({"Effect": "Allow", "Principal": {"AWS": "333333333333"}, "Action": "sts:AssumeRole"}),
     TRUST_ALLOWLIST, "FAIL"),
    ("service principal", doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                               "Action": "sts:AssumeRole"}), TRUST_ALLOWLIST, "FAIL"),
    ("other action for anyone", doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                     "Action": "sts:TagSession"}), TRUST_ALLOWLIST, "PASS"),
    ("writer by Principal", doc({"Effect": "Allow", "Principal": {"AWS": PRIVILEGED}, "Action": "s3:PutObject",
                                 "Resource": OBJECTS}), BUCKET_WRITERS, "PASS"),
    ("writer by aws:PrincipalArn", doc({"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
                                        "Resource": OBJECTS,
                                        "Condition": {"ArnEquals": {"aws:PrincipalArn": PRIVILEGED}}}),
     BUCKET_WRITERS, "PASS"),
    ("reads for anyone are not checked", doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                              "Resource": OBJECTS}), BUCKET_WRITERS, "PASS"),
    ("anyone writes", doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": OBJECTS}),
     BUCKET_WRITERS, "FAIL"),
    ("another role writes", doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_A}:role/Other"},
                                 "Action": "s3:PutObject", "Resource": OBJECTS}), BUCKET_WRITERS, "FAIL"),
    ("NotPrincipal deny removed", doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                       "Resource": OBJECTS}),
     doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS},
         {"Effect": "Deny", "NotPrincipal": {"AWS": PRIVILEGED}, "Action": "s3:GetObject", "Resource": OBJECTS}),
     "FAIL"),
]


@pytest.mark.parametrize(("name", "new", "existing", "expected"), RESOURCE_PAIRS, ids=[p[0] for p in RESOURCE_PAIRS])
def test_check_no_new_access_resource_pairs(name: str, new: str, existing: str, expected: str) -> None:
    result = check_no_new_access(new, existing, "RESOURCE_POLICY")
    assert result.result == expected, (name, result)
    if expected == "FAIL":
        example = result.counterexample
        assert example is not None and example.principal is not None
        request = Request(example.action, example.resource, example.context)
        assert evaluate_resource_policy(compile_policy(new, "rn", str(hash(new))), request, example.principal).allowed
        assert not evaluate_resource_policy(compile_policy(existing, "ro", str(hash(existing))), request,
                                            example.principal).allowed


def test_fail_reasons_name_the_new_statements_as_aws_does() -> None:
    new = doc({"Sid": "Reports", **allow("s3:GetObject", "arn:aws:s3:::reports/*")},
              allow("s3:PutObject", "arn:aws:s3:::reports/*"))
    result = check_no_new_access(new, S3_READ)
    assert result.to_dict() == {
        "result": "FAIL",
        "message": "The modified permissions grant new access compared to your existing policy.",
        "reasons": [{"description": "New access in the statement with index: 1.", "statementIndex": 1}],
    }


def test_pass_has_no_reasons() -> None:
    assert check_no_new_access(S3_READ, S3_READ).to_dict() == {
        "result": "PASS",
        "message": "The modified permissions do not grant new access compared to your existing policy.",
    }


@pytest.mark.parametrize(
    ("policy", "actions", "resources", "expected"),
    [
        (S3_READ, ["s3:PutObject"], [], "PASS"),
        (S3_READ, ["s3:GetObject"], [], "FAIL"),
        (S3_READ, [], ["arn:aws:s3:::reports/2026/q1.csv"], "FAIL"),
        (S3_READ, [], ["arn:aws:s3:::payroll/*"], "PASS"),
        (S3_READ, ["s3:Get*"], ["arn:aws:s3:::reports"], "FAIL"),
        (S3_READ, ["s3:ListBucket"], ["arn:aws:s3:::reports/*"], "FAIL"),
        (doc(allow("iam:*"), deny("iam:PassRole")), ["iam:PassRole"], [], "PASS"),
        (doc(allow("iam:*"), deny("iam:PassRole", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})),
         ["iam:PassRole"], [], "FAIL"),
        (doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), ["iam:CreateUser", "iam:PassRole"], [],
         "PASS"),
    ],
)
def test_check_access_not_granted(policy: str, actions: list[str], resources: list[str], expected: str) -> None:
    result = check_access_not_granted(policy, actions, resources, "IDENTITY_POLICY")
    assert result.result == expected, result
    if expected == "FAIL":
        example = result.counterexample
        assert evaluate(Request(example.action, example.resource, example.context),
                        [compile_policy(policy, "cang", str(hash(policy)))]).allowed


def test_check_access_not_granted_reason_uses_the_sid() -> None:
    policy = doc({"Sid": "AllowJohnDoe", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/J"},
                  "Action": "s3:PutObject", "Resource": "arn:aws:s3:::my-bucket/*"})
    result = check_access_not_granted(policy, [], ["arn:aws:s3:::my-bucket/*"], "RESOURCE_POLICY")
    assert result.to_dict() == {
        "result": "FAIL",
        "message": "The policy document grants access to perform one or more of the listed actions or resources.",
        "reasons": [{"description": "One or more of the listed actions or resources in the statement with sid: "
                                    "AllowJohnDoe.", "statementIndex": 0, "statementId": "AllowJohnDoe"}],
    }


PUBLIC_CASES = [
    ("anyone", {"Principal": "*"}, "FAIL"),
    ("AWS star", {"Principal": {"AWS": "*"}}, "FAIL"),
    ("named account", {"Principal": {"AWS": "111122223333"}}, "PASS"),
    ("organization", {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}, "PASS"),
    ("organization wildcard", {"Principal": "*", "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}, "FAIL"),
    ("source account", {"Principal": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}},
     "PASS"),
    ("principal account", {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}},
     "PASS"),
    ("narrow source IP", {"Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}, "PASS"),
    ("internet-wide source IP", {"Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}},
     "FAIL"),
    ("transport only", {"Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, "FAIL"),
    ("not the organization", {"Principal": "*",
                              "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}, "FAIL"),
]


@pytest.mark.parametrize(("name", "extra", "expected"), PUBLIC_CASES, ids=[c[0] for c in PUBLIC_CASES])
def test_check_no_public_access(name: str, extra: dict, expected: str) -> None:
    policy = doc({"Sid": "Bob", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", **extra})
    result = check_no_public_access(policy, "AWS::S3::Bucket")
    assert result.result == expected, result
    if expected == "FAIL":
        assert result.reasons[0].description == "Public access granted in the following statement with sid: Bob."
        example = result.counterexample
        assert evaluate_resource_policy(compile_policy(policy, "pub", str(hash(policy))),
                                        Request(example.action, example.resource, example.context),
                                        example.principal).allowed


def test_public_grant_denied_outside_the_organization_passes() -> None:
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
                 {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
                  "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}})
    assert check_no_public_access(policy, "AWS::S3::Bucket").result == "PASS"


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_no_new_access("{not json", S3_READ),
        lambda: check_no_new_access(S3_READ, "[]"),
        lambda: check_no_new_access(S3_READ, S3_READ, "TRUST_POLICY"),
        lambda: check_access_not_granted(S3_READ, [], []),
        lambda: check_no_public_access(S3_READ, "AWS::EC2::Instance"),
    ],
)
def test_bad_input_raises_policy_check_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PolicyCheckError):
        call()


def test_registered_service_wildcards_expand_against_its_catalogued_actions() -> None:
    from policies.language import actions as catalogue

    wildcard, listed = doc(allow("docs:*")), doc(allow(["docs:ReadDocument", "docs:WriteDocument"]))
    assert check_no_new_access(wildcard, listed).result == "FAIL"  # an unknown service: any action name
    catalogue.register_service("docs", actions=[("ReadDocument", "Read", []), ("WriteDocument", "Write", [])])
    try:
        assert check_no_new_access(wildcard, listed).result == "PASS"
    finally:
        catalogue.unregister_service("docs")
    assert check_no_new_access(wildcard, listed).result == "FAIL"
