"""Property tests: parsing, validating and evaluating never raise on arbitrary input."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies.language import Request, Severity, compile_document, evaluate, parse_policy, summarize, validate

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)

ELEMENTS = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "StringEquals",
    "aws:username",
    "AWS",
    "*",
    "Allow",
    "Deny",
]
policy_like = st.recursive(
    st.sampled_from(
        ELEMENTS
        + ["iam:GetUser", "arn:aws:iam::123456789012:user/*", "${aws:username}", "2012-10-17", True, 3]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(ELEMENTS), children, max_size=5)
    ),
    max_leaves=40,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text())
def test_parser_and_validator_never_raise_on_arbitrary_text(text):
    for policy_type in ("IDENTITY_POLICY", "RESOURCE_POLICY", "TRUST_POLICY"):
        result = validate(text, policy_type=policy_type, size_limit="managed")
        assert result.valid is (not any(f.severity is Severity.ERROR for f in result.findings))
        assert all(f.line >= 1 and f.column >= 1 for f in result.findings)


@SETTINGS
@given(json_values)
def test_parser_and_validator_never_raise_on_arbitrary_json(value):
    text = json.dumps(value, indent=1)
    result = validate(text)
    assert parse_policy(text).document is None or result.model is not None
    summarize(text)


@SETTINGS
@given(policy_like, st.sampled_from(["iam:GetUser", "sts:AssumeRole", "s3:GetObject"]))
def test_policy_shaped_json_validates_compiles_and_evaluates_without_raising(value, action):
    text = json.dumps({"Version": "2012-10-17", "Statement": value})
    result = validate(text, policy_type="TRUST_POLICY")
    if result.model is not None:
        compiled = compile_document(result.model, "prop")
        decision = evaluate(
            Request(action, "arn:aws:iam::123456789012:user/a", {"aws:username": "a"}), [compiled]
        )
        assert decision.decision in ("allowed", "explicitDeny", "implicitDeny")


@SETTINGS
@given(st.text(alphabet='{}[]":,\n tx\\u0123', max_size=60))
def test_findings_stay_inside_the_document(text):
    lines = text.split("\n")
    for finding in validate(text).findings:
        assert finding.line <= len(lines)
        assert finding.column <= len(lines[finding.line - 1]) + 1


def test_deeply_nested_json_is_a_syntax_error_not_a_crash():
    result = validate("[" * 5000 + "]" * 5000)
    assert [f.issue_code for f in result.findings] == ["JSON_SYNTAX_ERROR"]
