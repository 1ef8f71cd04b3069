"""Decision logic: wildcards, NotAction/NotResource, variables, boundaries, sessions, principals."""

from __future__ import annotations

import json

import pytest

from policies.language import (
    Request,
    compile_document,
    evaluate,
    evaluate_resource_policy,
    parse_policy,
    principal_matches,
)

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def policy(*statements: dict, policy_id: str = "p", version: str | None = "2012-10-17"):
    body: dict = {"Statement": list(statements)}
    if version:
        body = {"Version": version, **body}
    return compile_document(parse_policy(json.dumps(body)).document, policy_id)


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decision(policies, action, resource=ALICE, context=None, **kwargs) -> str:
    return evaluate(Request(action, resource, context or {}), policies, **kwargs).decision


# IAM User Guide: "IAM JSON policy elements: Action" — action names are case-insensitive
# and accept * and ? wildcards; "Resource" — ARNs are case-sensitive and accept wildcards.
MATCHING_CASES = [
    ("iam:GetUser", "*", "iam:GetUser", ALICE, "allowed"),
    ("IAM:getuser", "*", "iam:GetUser", ALICE, "allowed"),  # actions case-insensitive
    ("iam:Get*", "*", "iam:GetUser", ALICE, "allowed"),
    ("iam:Get*", "*", "iam:ListUsers", ALICE, "implicitDeny"),
    ("iam:?etUser", "*", "iam:GetUser", ALICE, "allowed"),
    ("iam:*", "*", "iam:CreateUser", ALICE, "allowed"),
    ("iam:*", "*", "sts:AssumeRole", ALICE, "implicitDeny"),
    ("*", "*", "sts:GetCallerIdentity", ALICE, "allowed"),
    ("*:Get*", "*", "sts:GetSessionToken", ALICE, "allowed"),
    ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/alice", "iam:GetUser", ALICE, "allowed"),
    (
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/Alice",
        "iam:GetUser",
        ALICE,
        "implicitDeny",
    ),  # ARNs case-sensitive
    (
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/*",
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/eng/alice",
        "allowed",
    ),  # * spans '/'
    ("iam:GetUser", "arn:aws:iam::*", "iam:GetUser", ALICE, "allowed"),  # trailing * spans ':'
    ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/al?ce", "iam:GetUser", ALICE, "allowed"),
    (
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/al?ce",
        "iam:GetUser",
        f"arn:aws:iam::{ACCOUNT}:user/allice",
        "implicitDeny",
    ),
    ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:group/*", "iam:GetUser", ALICE, "implicitDeny"),
    ("iam:GetUser", "arn:aws:iam::210987654321:user/alice", "iam:GetUser", ALICE, "implicitDeny"),
    (
        ["iam:ListUsers", "iam:GetUser"],
        ["arn:aws:iam::1:user/x", ALICE],
        "iam:GetUser",
        ALICE,
        "allowed",
    ),  # lists OR
]


@pytest.mark.parametrize("action,resource,req_action,req_resource,expected", MATCHING_CASES)
def test_action_and_resource_matching(action, resource, req_action, req_resource, expected):
    assert decision([policy(allow(action, resource))], req_action, req_resource) == expected


def test_not_action_allows_everything_except_the_listed_actions():
    # IAM User Guide: "IAM JSON policy elements: NotAction".
    p = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decision([p], "sts:GetCallerIdentity") == "allowed"
    assert decision([p], "iam:GetUser") == "implicitDeny"


def test_not_action_with_deny_denies_everything_except_the_listed_actions():
    p = policy(allow("*"), {"Effect": "Deny", "NotAction": ["iam:ChangePassword", "sts:*"], "Resource": "*"})
    assert decision([p], "iam:ChangePassword") == "allowed"
    assert decision([p], "iam:CreateUser") == "explicitDeny"


def test_not_resource_applies_to_every_resource_except_the_listed_ones():
    # IAM User Guide: "IAM JSON policy elements: NotResource".
    p = policy(
        {"Effect": "Allow", "Action": "iam:GetUser", "NotResource": f"arn:aws:iam::{ACCOUNT}:user/admin*"}
    )
    assert decision([p], "iam:GetUser", ALICE) == "allowed"
    assert decision([p], "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/admin1") == "implicitDeny"


def test_implicit_deny_when_nothing_allows():
    # IAM User Guide: "Policy evaluation logic" — requests are denied by default.
    assert decision([policy(allow("iam:ListUsers"))], "iam:GetUser") == "implicitDeny"
    assert decision([], "iam:GetUser") == "implicitDeny"


def test_explicit_deny_beats_allow_from_another_policy():
    result = evaluate(
        Request("iam:DeleteUser", ALICE),
        [policy(allow("iam:*"), policy_id="a"), policy(deny("iam:Delete*"), policy_id="d")],
    )
    assert result.decision == "explicitDeny"
    assert [(m.policy_id, m.statement_index, m.effect) for m in result.matched_statements] == [
        ("d", 0, "Deny")
    ]


def test_allowed_decision_reports_every_allowing_statement_with_sid_and_line():
    text = '{\n "Version": "2012-10-17",\n "Statement": [\n  {"Sid": "One", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},\n  {"Sid": "Two", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}\n ]\n}'
    p = compile_document(parse_policy(text).document, "pol-1")
    result = evaluate(Request("iam:GetUser", ALICE), [p])
    assert result.decision == "allowed"
    assert [(m.policy_id, m.sid, m.statement_index, m.line) for m in result.matched_statements] == [
        ("pol-1", "One", 0, 4),
        ("pol-1", "Two", 1, 5),
    ]


# IAM User Guide: "Permissions boundaries for IAM entities" and "Session policies":
# the effective permissions are the intersection; a Deny anywhere wins.
BOUNDARY_SESSION_CASES = [
    ("identity and boundary allow", [allow("iam:GetUser")], [allow("iam:*")], None, "allowed"),
    ("boundary does not allow", [allow("iam:GetUser")], [allow("iam:List*")], None, "implicitDeny"),
    ("boundary alone grants nothing", [], [allow("iam:*")], None, "implicitDeny"),
    (
        "deny in boundary wins",
        [allow("iam:GetUser")],
        [allow("*"), deny("iam:GetUser")],
        None,
        "explicitDeny",
    ),
    ("session policy allows too", [allow("iam:GetUser")], None, [allow("iam:Get*")], "allowed"),
    ("session policy does not allow", [allow("iam:GetUser")], None, [allow("iam:ListUsers")], "implicitDeny"),
    ("session policy alone grants nothing", [], None, [allow("*")], "implicitDeny"),
    (
        "deny in session policy wins",
        [allow("iam:GetUser")],
        None,
        [allow("*"), deny("iam:*")],
        "explicitDeny",
    ),
    ("all three allow", [allow("iam:GetUser")], [allow("iam:*")], [allow("*")], "allowed"),
    ("all but session", [allow("iam:GetUser")], [allow("iam:*")], [allow("sts:*")], "implicitDeny"),
]


@pytest.mark.parametrize(
    "label,identity,boundary,session,expected",
    BOUNDARY_SESSION_CASES,
    ids=[c[0] for c in BOUNDARY_SESSION_CASES],
)
def test_boundary_and_session_policies_intersect_with_identity_policies(
    label, identity, boundary, session, expected
):
    policies = [policy(*identity, policy_id="identity")] if identity else []
    kwargs = {}
    if boundary is not None:
        kwargs["boundary_policies"] = [policy(*boundary, policy_id="boundary")]
    if session is not None:
        kwargs["session_policies"] = [policy(*session, policy_id="session")]
    assert decision(policies, "iam:GetUser", **kwargs) == expected


# IAM User Guide: "IAM policy elements: Variables and tags".
VARIABLE_CASES = [
    (f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", {"aws:username": "alice"}, ALICE, "allowed"),
    (f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", {"aws:username": "bob"}, ALICE, "implicitDeny"),
    (f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", {}, ALICE, "implicitDeny"),  # missing key: no match
    (f"arn:aws:iam::{ACCOUNT}:user/${{aws:username, 'alice'}}", {}, ALICE, "allowed"),  # default value
    (
        f"arn:aws:iam::{ACCOUNT}:user/${{aws:PrincipalTag/team}}/*",
        {"aws:PrincipalTag/team": "eng"},
        f"arn:aws:iam::{ACCOUNT}:user/eng/alice",
        "allowed",
    ),
    (
        f"arn:aws:iam::{ACCOUNT}:user/${{aws:userid}}",
        {"aws:userid": "AIDAX"},
        f"arn:aws:iam::{ACCOUNT}:user/AIDAX",
        "allowed",
    ),
    (
        f"arn:aws:iam::{ACCOUNT}:user/a${{*}}",
        {},
        f"arn:aws:iam::{ACCOUNT}:user/a*",
        "allowed",
    ),  # ${*} is a literal *
    (f"arn:aws:iam::{ACCOUNT}:user/a${{*}}", {}, f"arn:aws:iam::{ACCOUNT}:user/abc", "implicitDeny"),
    (f"arn:aws:iam::{ACCOUNT}:user/a${{?}}", {}, f"arn:aws:iam::{ACCOUNT}:user/a?", "allowed"),
    (f"arn:aws:iam::{ACCOUNT}:user/a${{$}}", {}, f"arn:aws:iam::{ACCOUNT}:user/a$", "allowed"),
    (
        f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
        {"aws:username": "a*"},
        f"arn:aws:iam::{ACCOUNT}:user/abc",
        "implicitDeny",
    ),  # values are literal
    (
        f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}*",
        {"aws:username": "al"},
        ALICE,
        "allowed",
    ),  # literal * still a wildcard
]


@pytest.mark.parametrize("resource,context,req_resource,expected", VARIABLE_CASES)
def test_policy_variables_in_resource(resource, context, req_resource, expected):
    assert (
        decision([policy(allow("iam:GetUser", resource))], "iam:GetUser", req_resource, context) == expected
    )


def test_policy_variables_are_literal_without_version_2012():
    # IAM User Guide: Version element — with 2008-10-17 variables are not substituted.
    p = policy(allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"), version=None)
    assert decision([p], "iam:GetUser", ALICE, {"aws:username": "alice"}) == "implicitDeny"
    assert decision([p], "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", {}) == "allowed"


def test_policy_variables_in_condition_values():
    p = policy(
        allow("iam:GetUser", Condition={"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}})
    )
    assert (
        decision([p], "iam:GetUser", context={"aws:username": "alice", "aws:PrincipalTag/owner": "alice"})
        == "allowed"
    )
    assert (
        decision([p], "iam:GetUser", context={"aws:username": "alice", "aws:PrincipalTag/owner": "bob"})
        == "implicitDeny"
    )
    assert decision([p], "iam:GetUser", context={"aws:PrincipalTag/owner": "alice"}) == "implicitDeny"


def test_policy_variable_with_stringlike_keeps_literal_wildcards():
    p = policy(
        allow("iam:GetUser", Condition={"StringLike": {"aws:PrincipalTag/path": "/home/${aws:username}/*"}})
    )
    assert (
        decision([p], "iam:GetUser", context={"aws:username": "al", "aws:PrincipalTag/path": "/home/al/x/y"})
        == "allowed"
    )
    assert (
        decision([p], "iam:GetUser", context={"aws:username": "al", "aws:PrincipalTag/path": "/home/bo/x"})
        == "implicitDeny"
    )


# IAM User Guide: "AWS JSON policy elements: Principal".
PRINCIPAL_CASES = [
    ("*", ALICE, True),
    ({"AWS": "*"}, ALICE, True),
    ({"AWS": ACCOUNT}, ALICE, True),  # account ID: any principal in the account
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:iam::{ACCOUNT}:role/ops", True),
    ({"AWS": "210987654321"}, ALICE, False),
    ({"AWS": ALICE}, ALICE, True),
    ({"AWS": ALICE}, f"arn:aws:iam::{ACCOUNT}:user/bob", False),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"}, f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/session-1", True),
    (
        {"AWS": f"arn:aws:iam::{ACCOUNT}:role/team/ops"},
        f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/s",
        True,
    ),  # role path
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"}, f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/s", False),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"}, "arn:aws:sts::210987654321:assumed-role/ops/s", False),
    ({"Service": "ec2.amazonaws.com"}, "ec2.amazonaws.com", True),
    ({"Service": ["lambda.amazonaws.com"]}, "ec2.amazonaws.com", False),
    (
        {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"},
        f"arn:aws:iam::{ACCOUNT}:saml-provider/corp",
        True,
    ),
]


@pytest.mark.parametrize("principal,caller,expected", PRINCIPAL_CASES)
def test_principal_matching(principal, caller, expected):
    p = policy({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
    assert principal_matches(p.statements[0], caller, None) is expected


def test_not_principal_applies_to_everyone_except_listed():
    p = policy({"Effect": "Deny", "NotPrincipal": {"AWS": ALICE}, "Action": "sts:AssumeRole"})
    assert principal_matches(p.statements[0], ALICE) is False
    assert principal_matches(p.statements[0], f"arn:aws:iam::{ACCOUNT}:user/bob") is True


def trust(*statements):
    return policy(*statements, policy_id="trust")


ROLE = f"arn:aws:iam::{ACCOUNT}:role/ops"


def test_trust_policy_allow_via_account_root_requires_identity_check():
    # IAM User Guide: Principal — "AWS account principals": trusting the account
    # delegates the decision to the account's identity-based policies.
    t = trust(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    )
    result = evaluate_resource_policy(t, Request("sts:AssumeRole", ROLE), ALICE, ACCOUNT)
    assert (result.decision, result.via_account_root) == ("allowed", True)


def test_trust_policy_allow_naming_the_principal_is_direct():
    t = trust(
        {
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", ALICE]},
            "Action": "sts:AssumeRole",
        }
    )
    result = evaluate_resource_policy(t, Request("sts:AssumeRole", ROLE), ALICE, ACCOUNT)
    assert (result.decision, result.via_account_root) == ("allowed", False)


def test_trust_policy_deny_wins_and_conditions_apply():
    t = trust(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    assert (
        evaluate_resource_policy(
            t, Request("sts:AssumeRole", ROLE, {"aws:MultiFactorAuthPresent": False}), ALICE
        ).decision
        == "explicitDeny"
    )
    assert (
        evaluate_resource_policy(
            t, Request("sts:AssumeRole", ROLE, {"aws:MultiFactorAuthPresent": True}), ALICE
        ).decision
        == "allowed"
    )


def test_trust_policy_for_another_account_or_action_is_implicit_deny():
    t = trust({"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "sts:AssumeRole"})
    assert evaluate_resource_policy(t, Request("sts:AssumeRole", ROLE), ALICE).decision == "implicitDeny"
    t2 = trust({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRoleWithSAML"})
    assert evaluate_resource_policy(t2, Request("sts:AssumeRole", ROLE), ALICE).decision == "implicitDeny"


def test_identity_statement_without_principal_does_not_apply_in_resource_policy_evaluation():
    t = trust({"Effect": "Allow", "Action": "sts:AssumeRole"})
    assert evaluate_resource_policy(t, Request("sts:AssumeRole", ROLE), ALICE).decision == "implicitDeny"
