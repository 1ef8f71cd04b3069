"""The SCP and RCP grammars: what Organizations refuses, what is only advice, and the shipped defaults."""

from __future__ import annotations

import json

import pytest

from policies.language import RESOURCE_CONTROL_POLICY, SERVICE_CONTROL_POLICY, validate

SCP = SERVICE_CONTROL_POLICY
RCP = RESOURCE_CONTROL_POLICY
FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_AWS_ACCESS = {"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def doc(*statements: dict, version: str | None = "2012-10-17") -> str:
    body: dict = {"Statement": list(statements)}
    if version is not None:
        body = {"Version": version, **body}
    return json.dumps(body, indent=2)


def codes(text: str, policy_type: str) -> set[tuple[str, bool]]:
    return {(f.issue_code, f.blocking) for f in validate(text, policy_type=policy_type).findings}


@pytest.mark.parametrize(("document", "policy_type"), [(FULL_AWS_ACCESS, SCP), (RCP_FULL_AWS_ACCESS, RCP)])
def test_shipped_full_access_documents_validate_without_findings(document: dict, policy_type: str) -> None:
    result = validate(json.dumps(document, indent=4), policy_type=policy_type)
    assert result.valid
    assert result.findings == []


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
def test_scp_with_a_principal_is_refused(element: str) -> None:
    text = doc({"Effect": "Deny", element: {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"})
    result = validate(text, policy_type=SCP)
    assert not result.valid
    [finding] = result.blocking()
    assert finding.issue_code == "SCP_SYNTAX_ERROR_PRINCIPAL"
    assert finding.path == f"Statement[0].{element}"


@pytest.mark.parametrize(
    "statement",
    [
        # the full IAM language since 2025: conditions, resource ARNs and NotAction with Allow ...
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
        # ... NotResource with either effect, wildcards anywhere in an action
        {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secrets/*"},
        {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::public/*"},
        {"Effect": "Deny", "Action": ["ec2:*Vpc*", "*:Delete*"], "Resource": "*"},
    ],
)
def test_scp_accepts_the_full_iam_language(statement: dict) -> None:
    result = validate(doc(statement), policy_type=SCP)
    assert result.valid, result.blocking()


def test_scp_size_counts_whitespace() -> None:
    statement = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
    compact = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
    padded = compact[:-1] + " " * (5120 - len(compact)) + "}"
    assert len(padded) == 5120
    assert validate(padded, policy_type=SCP).valid
    over = padded[:-1] + " }"
    result = validate(over, policy_type=SCP)
    assert not result.valid
    assert [f.issue_code for f in result.blocking()] == ["POLICY_SIZE_EXCEEDED"]
    # the same text is far below IAM's quota, which ignores whitespace
    assert validate(over, policy_type="IDENTITY_POLICY", size_limit="managed").valid


def test_scp_without_version_is_advice_only() -> None:
    result = validate(doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, version=None), policy_type=SCP)
    assert result.valid
    assert ("MISSING_VERSION", False) in codes(
        doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, version=None), SCP)


def test_scp_needs_resource_and_action_like_any_iam_policy() -> None:
    assert ("MISSING_RESOURCE", True) in codes(doc({"Effect": "Deny", "Action": "s3:*"}), SCP)
    assert ("MISSING_ACTION", True) in codes(doc({"Effect": "Deny", "Resource": "*"}), SCP)


def test_scp_allow_all_is_not_a_security_warning() -> None:
    assert codes(json.dumps(FULL_AWS_ACCESS), SCP) == set()


PERIMETER = {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}


def test_rcp_deny_with_principal_star_and_conditions_is_valid() -> None:
    result = validate(doc(PERIMETER), policy_type=RCP)
    assert result.valid, result.blocking()
    assert result.findings == []


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ({**PERIMETER, "Principal": {"AWS": "111122223333"}}, "RCP_SYNTAX_ERROR_PRINCIPAL"),
        ({**PERIMETER, "Principal": {"AWS": "*"}}, "RCP_SYNTAX_ERROR_PRINCIPAL"),
        ({k: v for k, v in PERIMETER.items() if k != "Principal"} | {"NotPrincipal": {"AWS": "111122223333"}},
         "RCP_SYNTAX_ERROR_PRINCIPAL"),
        ({k: v for k, v in PERIMETER.items() if k != "Principal"}, "MISSING_PRINCIPAL"),
        ({k: v for k, v in PERIMETER.items() if k != "Action"} | {"NotAction": "s3:GetObject"},
         "INVALID_POLICY_ELEMENT"),
        ({**PERIMETER, "Effect": "Allow"}, "RCP_SYNTAX_ERROR_ALLOW"),
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}, "RCP_SYNTAX_ERROR_ALLOW"),
    ],
)
def test_rcp_refusals(statement: dict, code: str) -> None:
    result = validate(doc(statement), policy_type=RCP)
    assert not result.valid
    assert code in {f.issue_code for f in result.blocking()}


@pytest.mark.parametrize("version", [None, "2008-10-17"])
def test_rcp_requires_version_2012(version: str | None) -> None:
    result = validate(doc(PERIMETER, version=version), policy_type=RCP)
    assert [f.issue_code for f in result.blocking()] == ["INVALID_VERSION"]


def test_rcp_action_of_a_service_rcps_do_not_cover_is_a_warning() -> None:
    result = validate(doc({**PERIMETER, "Action": "ec2:RunInstances"}), policy_type=RCP)
    assert result.valid
    assert [(f.issue_code, f.severity.value) for f in result.findings] == [("RCP_UNSUPPORTED_SERVICE", "WARNING")]


def test_rcp_size_limit_is_5120_characters() -> None:
    text = doc(*[PERIMETER] * 30)
    assert len(text) > 5120
    assert "POLICY_SIZE_EXCEEDED" in {f.issue_code for f in validate(text, policy_type=RCP).blocking()}
