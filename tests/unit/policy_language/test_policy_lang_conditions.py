"""Condition operator semantics, one table row per documented behaviour."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from policies.language import Request, compile_document, evaluate, parse_policy

ARN = "arn:aws:iam::123456789012:user/alice"


def decide(operator: str, key: str, values, context: dict) -> bool:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:GetUser",
                    "Resource": "*",
                    "Condition": {operator: {key: values}},
                }
            ],
        }
    )
    policy = compile_document(parse_policy(text).document, "cond-test")
    return evaluate(Request("iam:GetUser", ARN, context), [policy]).decision == "allowed"


# Each row: operator, key, policy value(s), request context, expected Allow?
# Source: IAM User Guide, "IAM JSON policy elements: Condition operators" unless noted.
CASES = [
    # String condition operators
    ("StringEquals", "aws:username", "alice", {"aws:username": "alice"}, True),
    ("StringEquals", "aws:username", "alice", {"aws:username": "Alice"}, False),  # case-sensitive
    ("StringEquals", "aws:username", ["bob", "alice"], {"aws:username": "alice"}, True),  # values are ORed
    ("StringEquals", "aws:username", "alice", {}, False),  # missing key: positive operator is false
    ("StringNotEquals", "aws:username", "alice", {"aws:username": "bob"}, True),
    (
        "StringNotEquals",
        "aws:username",
        ["bob", "alice"],
        {"aws:username": "alice"},
        False,
    ),  # must match none (NOR)
    ("StringNotEquals", "aws:username", "alice", {}, True),  # missing key: negated operator is true
    ("StringEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"}, True),
    ("StringNotEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"}, False),
    ("StringLike", "aws:userid", "AIDA*", {"aws:userid": "AIDAEXAMPLE"}, True),
    ("StringLike", "aws:userid", "AIDA?X", {"aws:userid": "AIDA1X"}, True),
    ("StringLike", "aws:userid", "AIDA?X", {"aws:userid": "AIDA12X"}, False),  # ? is exactly one character
    ("StringLike", "aws:username", "a*", {"aws:username": "Alice"}, False),  # case-sensitive
    ("StringNotLike", "aws:username", "adm*", {"aws:username": "alice"}, True),
    ("StringNotLike", "aws:username", "adm*", {"aws:username": "admin"}, False),
    (
        "StringNotLike",
        "aws:username",
        "adm*",
        {},
        True,
    ),  # "...StringNotLike ... key not present, the condition is true"
    # Numeric condition operators
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": 100}, True),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "3600"}, False),
    ("NumericLessThanEquals", "aws:MultiFactorAuthAge", 3600, {"aws:MultiFactorAuthAge": 3600}, True),
    ("NumericGreaterThan", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": 10.5}, True),
    ("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": 9}, False),
    ("NumericEquals", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": "10.0"}, True),
    ("NumericNotEquals", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": 11}, True),
    ("NumericEquals", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": "ten"}, False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {}, False),
    # Date condition operators: ISO 8601 or epoch
    (
        "DateGreaterThan",
        "aws:CurrentTime",
        "2024-01-01T00:00:00Z",
        {"aws:CurrentTime": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
        True,
    ),
    (
        "DateLessThan",
        "aws:CurrentTime",
        "2024-01-01T00:00:00Z",
        {"aws:CurrentTime": "2023-12-31T23:59:59Z"},
        True,
    ),
    ("DateLessThan", "aws:CurrentTime", "2024-01-01", {"aws:CurrentTime": "2024-01-01T00:00:00Z"}, False),
    (
        "DateLessThanEquals",
        "aws:CurrentTime",
        "1704067200",
        {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
        True,
    ),  # epoch
    (
        "DateGreaterThanEquals",
        "aws:EpochTime",
        "2024-01-01T00:00:00+00:00",
        {"aws:EpochTime": 1704067200},
        True,
    ),
    (
        "DateEquals",
        "aws:TokenIssueTime",
        "2024-06-01T12:00:00Z",
        {"aws:TokenIssueTime": dt.datetime(2024, 6, 1, 12)},
        True,
    ),
    (
        "DateNotEquals",
        "aws:TokenIssueTime",
        "2024-06-01T12:00:00Z",
        {"aws:TokenIssueTime": dt.datetime(2024, 6, 1, 13)},
        True,
    ),
    # Boolean condition operators
    ("Bool", "aws:MultiFactorAuthPresent", "true", {"aws:MultiFactorAuthPresent": True}, True),
    ("Bool", "aws:MultiFactorAuthPresent", True, {"aws:MultiFactorAuthPresent": "true"}, True),
    ("Bool", "aws:MultiFactorAuthPresent", "true", {"aws:MultiFactorAuthPresent": False}, False),
    ("Bool", "aws:MultiFactorAuthPresent", "true", {}, False),
    ("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "FALSE"}, True),
    # Binary condition operators (base64)
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWU=", {"custom:blob": b"BinaryValue"}, True),
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWU=", {"custom:blob": "QmluYXJ5VmFsdWU="}, True),
    ("BinaryEquals", "custom:blob", "QmluYXJ5VmFsdWU=", {"custom:blob": b"other"}, False),
    # IP address condition operators
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}, True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.7"}, False),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "2001:db8::/32"], {"aws:SourceIp": "2001:db8::1"}, True),
    ("IpAddress", "aws:SourceIp", "203.0.113.5", {"aws:SourceIp": "203.0.113.5"}, True),  # bare address = /32
    (
        "IpAddress",
        "aws:SourceIp",
        "::ffff:0:0/96",
        {"aws:SourceIp": "10.0.0.1"},
        False,
    ),  # v4 never in a v6 block
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.1"}, True),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.1"}, False),
    ("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", {}, True),
    # ARN condition operators: each of the six fields matched separately
    (
        "ArnLike",
        "aws:PrincipalArn",
        "arn:aws:iam::*:role/admin-*",
        {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin-ops"},
        True,
    ),
    (
        "ArnLike",
        "aws:PrincipalArn",
        "arn:aws:iam::*:role/admin-*",
        {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/admin-ops"},
        False,
    ),
    (
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sns:*:123456789012:topic",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"},
        True,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:aws:s3:::bucket/*",
        {"aws:SourceArn": "arn:aws:s3:::bucket/a:b/c"},
        True,
    ),  # resource field holds ':'
    (
        "ArnLike",
        "aws:SourceArn",
        "arn:*:s3:::bucket",
        {"aws:SourceArn": "arn:aws:s3:us-east-1::bucket"},
        False,
    ),  # region field must match
    (
        "ArnNotLike",
        "aws:PrincipalArn",
        "arn:aws:iam::*:role/admin-*",
        {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/dev"},
        True,
    ),
    ("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/dev", {}, True),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*", {"aws:PrincipalArn": "not-an-arn"}, False),
    # "Condition operator to check existence of condition keys" (Null)
    ("Null", "aws:TokenIssueTime", "true", {}, True),
    ("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, False),
    ("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, True),
    ("Null", "aws:TokenIssueTime", "false", {}, False),
    # "...IfExists condition operators": missing key -> true; present key -> normal check
    ("StringEqualsIfExists", "aws:RequestTag/env", "prod", {}, True),
    ("StringEqualsIfExists", "aws:RequestTag/env", "prod", {"aws:RequestTag/env": "dev"}, False),
    ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "60", {"aws:MultiFactorAuthAge": 30}, True),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "true", {}, True),
    ("IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "11.0.0.1"}, False),
    ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:x", {}, True),
    # "Multivalued context keys": set operators
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"], {"aws:TagKeys": ["env"]}, True),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"], {"aws:TagKeys": ["env", "cost"]}, False),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env"], {}, True),  # missing key -> true
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": []}, True),  # empty set -> true
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["cost", "env"]}, True),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["cost"]}, False),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {}, False),  # missing key -> false
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": []}, False),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["env", "team"]}, True),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["env", "secret"]}, False),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["secret", "env"]}, True),
    (
        "ForAnyValue:StringLike",
        "aws:PrincipalOrgPaths",
        "o-a/r-b/ou-c/*",
        {"aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/ou-d/"]},
        True,
    ),
    ("ForAllValues:StringLikeIfExists", "aws:TagKeys", "env*", {"aws:TagKeys": ["env1", "env2"]}, True),
    # Without a set operator, a multivalued request value matches if any element matches;
    # a negated operator then needs none of them to match.
    ("StringEquals", "aws:TagKeys", "env", {"aws:TagKeys": ["cost", "env"]}, True),
    ("StringNotEquals", "aws:TagKeys", "env", {"aws:TagKeys": ["cost", "env"]}, False),
]


@pytest.mark.parametrize("operator,key,values,context,expected", CASES)
def test_condition_operator_semantics(operator, key, values, context, expected):
    assert decide(operator, key, values, context) is expected


def test_condition_keys_are_case_insensitive_in_policy_and_request():
    # IAM User Guide: Condition element — "Condition key names are not case-sensitive".
    assert decide("StringEquals", "AWS:UserName", "alice", {"aws:USERNAME": "alice"}) is True


def test_condition_operators_are_anded_and_keys_within_an_operator_are_anded():
    # IAM User Guide: "Creating a condition with multiple keys or values" — AND across
    # operators and keys, OR across the values of one key.
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Action": "iam:GetUser",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:username": ["alice", "bob"], "aws:PrincipalTag/team": "blue"},
                    "Bool": {"aws:SecureTransport": "true"},
                },
            },
        }
    )
    policy = compile_document(parse_policy(text).document, "and-test")
    good = {"aws:username": "bob", "aws:PrincipalTag/team": "blue", "aws:SecureTransport": True}
    assert evaluate(Request("iam:GetUser", ARN, good), [policy]).decision == "allowed"
    for key, bad in (
        ("aws:username", "carol"),
        ("aws:PrincipalTag/team", "red"),
        ("aws:SecureTransport", False),
    ):
        assert evaluate(Request("iam:GetUser", ARN, {**good, key: bad}), [policy]).decision == "implicitDeny"


def test_unknown_condition_operator_never_matches():
    # AWS refuses such policies; if one slips through, its statement must not apply.
    assert decide("StringEqualz", "aws:username", "alice", {"aws:username": "alice"}) is False
