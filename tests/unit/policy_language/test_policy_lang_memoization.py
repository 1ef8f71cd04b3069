"""Sharing and per-request memoisation in the evaluator never change a decision.

Identical Resource lists, condition clauses and (Resource, Condition) guards are interned
across statements and policies, evaluate() tests each distinct one once per request, and
plain StringEquals clauses index statements by the request's value. These tests compare
against the statement-by-statement semantics and make sure nothing leaks between requests.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from policies.language import Request, compile_document, evaluate, parse_policy

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
SHARED_CONDITION = {
    "StringEquals": {"aws:PrincipalTag/team": ["red", "green"]},
    "Bool": {"aws:MultiFactorAuthPresent": "true"},
}


def policy(*statements: dict, policy_id: str = "p", version: str | None = "2012-10-17"):
    body: dict = {"Statement": list(statements)}
    if version:
        body = {"Version": version, **body}
    return compile_document(parse_policy(json.dumps(body)).document, policy_id)


def stmt(effect: str, action, resource="*", condition=None, sid=None) -> dict:
    body = {"Effect": effect, "Action": action, "Resource": resource}
    if condition is not None:
        body["Condition"] = condition
    if sid is not None:
        body["Sid"] = sid
    return body


def matched(result) -> list[tuple[str, int, str]]:
    return [(m.policy_id, m.statement_index, m.effect) for m in result.matched_statements]


# ---------------------------------------------------------------- sharing is real


def test_identical_condition_blocks_share_one_guard_across_policies():
    first = policy(stmt("Allow", "iam:Get*", f"arn:aws:iam::{ACCOUNT}:user/*", SHARED_CONDITION), policy_id="a")
    second = policy(stmt("Allow", "iam:List*", f"arn:aws:iam::{ACCOUNT}:user/*", SHARED_CONDITION), policy_id="b")
    assert first.statements[0].guard is second.statements[0].guard
    assert first.statements[0].conditions == second.statements[0].conditions


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"aws:PrincipalTag/team": "red", "aws:MultiFactorAuthPresent": True}, "allowed"),
        ({"aws:PrincipalTag/team": "blue", "aws:MultiFactorAuthPresent": True}, "implicitDeny"),
        ({"aws:PrincipalTag/team": "red", "aws:MultiFactorAuthPresent": False}, "implicitDeny"),
        ({"aws:MultiFactorAuthPresent": True}, "implicitDeny"),
    ],
)
def test_shared_condition_gives_every_policy_the_same_answer(context, expected):
    policies = [
        policy(stmt("Allow", "iam:GetUser", ALICE, SHARED_CONDITION, sid=f"S{i}"), policy_id=f"p{i}")
        for i in range(3)
    ]
    result = evaluate(Request("iam:GetUser", ALICE, context), policies)
    assert result.decision == expected
    if expected == "allowed":
        assert matched(result) == [("p0", 0, "Allow"), ("p1", 0, "Allow"), ("p2", 0, "Allow")]


def test_shared_condition_in_an_allow_and_a_deny_is_reported_for_both():
    allow_policy = policy(stmt("Allow", "iam:*", "*", SHARED_CONDITION), policy_id="allow")
    deny_policy = policy(stmt("Deny", "iam:GetUser", "*", SHARED_CONDITION), policy_id="deny")
    ok = {"aws:PrincipalTag/team": "green", "aws:MultiFactorAuthPresent": "true"}
    result = evaluate(Request("iam:GetUser", ALICE, ok), [allow_policy, deny_policy])
    assert result.decision == "explicitDeny"
    assert matched(result) == [("deny", 0, "Deny")]
    result = evaluate(Request("iam:ListUsers", ALICE, ok), [allow_policy, deny_policy])
    assert result.decision == "allowed"
    fails = {"aws:PrincipalTag/team": "blue", "aws:MultiFactorAuthPresent": "true"}
    assert evaluate(Request("iam:GetUser", ALICE, fails), [allow_policy, deny_policy]).decision == "implicitDeny"


def test_shared_condition_across_identity_boundary_and_session_sources():
    identity = policy(stmt("Allow", "iam:GetUser", "*", SHARED_CONDITION), policy_id="id")
    boundary = policy(stmt("Allow", "iam:Get*", "*", SHARED_CONDITION), policy_id="pb")
    session = policy(stmt("Allow", "iam:*", "*", SHARED_CONDITION), policy_id="sess")
    for team, expected in (("red", "allowed"), ("blue", "implicitDeny")):
        context = {"aws:PrincipalTag/team": team, "aws:MultiFactorAuthPresent": True}
        result = evaluate(Request("iam:GetUser", ALICE, context), [identity],
                          boundary_policies=[boundary], session_policies=[session])
        assert result.decision == expected


def test_shared_resource_with_policy_variable_follows_each_request_user():
    self_service = [
        policy(stmt("Allow", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"), policy_id=f"p{i}")
        for i in range(2)
    ]
    assert self_service[0].statements[0].guard is self_service[1].statements[0].guard
    assert evaluate(Request("iam:GetUser", ALICE, {"aws:username": "alice"}), self_service).decision == "allowed"
    assert evaluate(Request("iam:GetUser", ALICE, {"aws:username": "bob"}), self_service).decision == "implicitDeny"
    assert evaluate(Request("iam:GetUser", BOB, {"aws:username": "bob"}), self_service).decision == "allowed"
    assert evaluate(Request("iam:GetUser", BOB, {}), self_service).decision == "implicitDeny"


def test_shared_wildcard_resource_with_variable_and_shared_condition_variable():
    condition = {"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}
    policies = [
        policy(stmt("Allow", "iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}*", condition),
               policy_id=f"p{i}")
        for i in range(2)
    ]
    good = {"aws:username": "alice", "aws:PrincipalTag/owner": "alice"}
    assert evaluate(Request("iam:GetUser", ALICE, good), policies).decision == "allowed"
    wrong_owner = {"aws:username": "alice", "aws:PrincipalTag/owner": "bob"}
    assert evaluate(Request("iam:GetUser", ALICE, wrong_owner), policies).decision == "implicitDeny"
    assert evaluate(Request("iam:GetUser", f"{ALICE}-2", good), policies).decision == "allowed"
    assert evaluate(Request("iam:GetUser", BOB, good), policies).decision == "implicitDeny"


def test_variables_are_not_shared_with_version_2008_policies():
    text = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
    modern = policy(stmt("Allow", "iam:GetUser", text), policy_id="modern")
    legacy = policy(stmt("Allow", "iam:GetUser", text), policy_id="legacy", version="2008-10-17")
    assert modern.statements[0].guard is not legacy.statements[0].guard
    context = {"aws:username": "alice"}
    assert evaluate(Request("iam:GetUser", ALICE, context), [legacy]).decision == "implicitDeny"
    assert evaluate(Request("iam:GetUser", ALICE, context), [modern]).decision == "allowed"
    assert evaluate(Request("iam:GetUser", text, context), [legacy]).decision == "allowed"


def test_different_operators_on_the_same_key_and_values_are_not_shared():
    equals = policy(stmt("Allow", "iam:GetUser", "*", {"StringEquals": {"aws:PrincipalTag/team": "red"}}))
    not_equals = policy(stmt("Allow", "iam:GetUser", "*", {"StringNotEquals": {"aws:PrincipalTag/team": "red"}}))
    if_exists = policy(stmt("Allow", "iam:GetUser", "*", {"StringEqualsIfExists": {"aws:PrincipalTag/team": "red"}}))
    for context, expected in (
        ({"aws:PrincipalTag/team": "red"}, ("allowed", "implicitDeny", "allowed")),
        ({"aws:PrincipalTag/team": "blue"}, ("implicitDeny", "allowed", "implicitDeny")),
        ({}, ("implicitDeny", "allowed", "allowed")),
    ):
        request = Request("iam:GetUser", ALICE, context)
        assert tuple(evaluate(request, [p]).decision for p in (equals, not_equals, if_exists)) == expected
        together = evaluate(request, [equals, not_equals, if_exists])
        assert together.decision == ("allowed" if "allowed" in expected else "implicitDeny")


def test_memo_does_not_leak_between_requests_with_the_same_policies():
    policies = [policy(stmt("Allow", "iam:GetUser", "*", SHARED_CONDITION), policy_id=f"p{i}") for i in range(4)]
    contexts = [
        {"aws:PrincipalTag/team": team, "aws:MultiFactorAuthPresent": mfa}
        for team in ("red", "blue", "green") for mfa in (True, False)
    ]
    for _ in range(2):
        for context in contexts:
            expected = context["aws:PrincipalTag/team"] != "blue" and context["aws:MultiFactorAuthPresent"]
            assert evaluate(Request("iam:GetUser", ALICE, context), policies).allowed is expected


# ---------------------------------------------------------------- StringEquals index


def gated_policy():
    """Many statements gated on the team tag, interleaved with ungated ones."""
    return policy(
        stmt("Allow", "iam:GetUser", "*", {"StringEquals": {"aws:PrincipalTag/team": ["red", "green"]}}, "RG"),
        stmt("Allow", "iam:GetUser", "*", {"Bool": {"aws:SecureTransport": "true"}}, "TLS"),
        stmt("Allow", "iam:GetUser", "*", {"StringEquals": {"aws:PrincipalTag/team": "blue"}}, "B"),
        stmt("Deny", "iam:GetUser", "*", {"StringEquals": {"aws:PrincipalTag/team": "7"}}, "Seven"),
        stmt("Allow", "iam:GetUser", "*", {"StringEquals": {"aws:PrincipalTag/team": "true"}}, "T"),
        stmt("Allow", "iam:Get*", "*", {"StringEquals": {"aws:PrincipalTag/team": "red",
                                                          "aws:username": "alice"}}, "RA"),
        policy_id="gated",
    )


@pytest.mark.parametrize(
    ("team", "sids"),
    [
        ("red", ["RG", "TLS", "RA"]),
        ("green", ["RG", "TLS"]),
        ("blue", ["TLS", "B"]),
        ("Red", ["TLS"]),  # StringEquals is case-sensitive
        (None, ["TLS"]),  # missing key: StringEquals is false
        (True, ["TLS", "T"]),  # a boolean context value compares as "true"
        (["blue", "red"], ["RG", "TLS", "B", "RA"]),  # multivalued without a set operator: any value
        ([], ["TLS"]),
    ],
)
def test_string_equals_index_matches_statement_by_statement_evaluation(team, sids):
    compiled = gated_policy()
    context = {"aws:SecureTransport": True, "aws:username": "alice"}
    if team is not None:
        context["aws:PrincipalTag/team"] = team
    result = evaluate(Request("iam:GetUser", ALICE, context), [compiled])
    assert [m.sid for m in result.matched_statements] == sids
    assert result.matched_statements == tuple(sorted(result.matched_statements, key=lambda m: m.statement_index))


def test_string_equals_index_with_number_value_reaches_the_deny():
    result = evaluate(Request("iam:GetUser", ALICE, {"aws:PrincipalTag/team": 7}), [gated_policy()])
    assert result.decision == "explicitDeny"
    assert [m.sid for m in result.matched_statements] == ["Seven"]


def test_context_keys_are_case_insensitive_for_the_index():
    result = evaluate(Request("iam:GetUser", ALICE, {"AWS:PRINCIPALTAG/TEAM": "blue"}), [gated_policy()])
    assert [m.sid for m in result.matched_statements] == ["B"]


# ---------------------------------------------------------------- randomized cross-check

KEYS = ["aws:PrincipalTag/team", "aws:username", "aws:MultiFactorAuthPresent", "aws:SourceIp", "aws:CurrentTime"]
CLAUSES = [
    ("StringEquals", "aws:PrincipalTag/team", ["red", "green"]),
    ("StringEquals", "aws:PrincipalTag/team", ["blue"]),
    ("StringEquals", "aws:PrincipalTag/team", "${aws:username}"),
    ("StringNotEquals", "aws:PrincipalTag/team", ["red"]),
    ("StringEqualsIgnoreCase", "aws:PrincipalTag/team", ["RED"]),
    ("StringLike", "aws:username", ["a*"]),
    ("StringEqualsIfExists", "aws:username", ["alice"]),
    ("ForAnyValue:StringEquals", "aws:PrincipalTag/team", ["red", "blue"]),
    ("ForAllValues:StringEquals", "aws:PrincipalTag/team", ["red", "blue"]),
    ("Bool", "aws:MultiFactorAuthPresent", "true"),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false"),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8"]),
    ("NotIpAddress", "aws:SourceIp", ["10.1.0.0/16"]),
    ("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"),
    ("Null", "aws:username", "false"),
]
RESOURCES = ["*", f"arn:aws:iam::{ACCOUNT}:user/*", ALICE, f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
             f"arn:aws:iam::{ACCOUNT}:role/*"]
ACTIONS = ["iam:GetUser", "iam:Get*", "iam:*", "iam:ListUsers", "*"]


def random_statement(rnd: random.Random) -> dict:
    condition: dict = {}
    for operator, key, values in rnd.sample(CLAUSES, rnd.randint(0, 3)):
        condition.setdefault(operator, {})[key] = values
    body = {"Effect": rnd.choice(["Allow", "Allow", "Allow", "Deny"]), "Action": rnd.choice(ACTIONS)}
    resources = rnd.sample(RESOURCES, rnd.randint(1, 2))
    body["NotResource" if rnd.random() < 0.15 else "Resource"] = resources
    if condition:
        body["Condition"] = condition
    return body


def random_context(rnd: random.Random) -> dict:
    choices = {
        "aws:PrincipalTag/team": ["red", "blue", "green", "RED", "alice", ["red", "blue"], ["green"], [], 7, True],
        "aws:username": ["alice", "bob", "amy"],
        "aws:MultiFactorAuthPresent": [True, False, "true", "false"],
        "aws:SourceIp": ["10.1.2.3", "10.2.0.1", "192.168.0.1"],
        "aws:CurrentTime": [dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "2031-05-05T00:00:00Z"],
    }
    return {key: rnd.choice(choices[key]) for key in KEYS if rnd.random() < 0.8}


def reference(request: Request, identity: list, boundary: list) -> tuple[str, list]:
    """Statement-by-statement evaluation with no sharing, memo or index."""
    action, context = request.action_lower, request.normalized_context

    def applying(policies, source):
        return [
            (p.policy_id, s.index, "Allow" if s.allow else "Deny", source)
            for p in policies
            for s in p.statements
            if s.matches_action(action)
            and s.matches_resource(request.resource, context)
            and s.matches_conditions(context)
        ]

    found = applying(identity, "identity") + applying(boundary, "boundary")
    denies = [m for m in found if m[2] == "Deny"]
    if denies:
        return "explicitDeny", denies
    identity_allows = [m for m in found if m[3] == "identity"]
    if not identity_allows or (boundary and not any(m[3] == "boundary" for m in found)):
        return "implicitDeny", []
    return "allowed", identity_allows


@pytest.mark.parametrize("seed", range(40))
def test_memoised_evaluation_matches_reference(seed):
    rnd = random.Random(seed)
    # A small pool of statements reused across policies, so guards and clauses are shared.
    pool = [random_statement(rnd) for _ in range(8)]
    identity = [
        policy(*[rnd.choice(pool) for _ in range(rnd.randint(1, 6))], policy_id=f"s{seed}-{i}")
        for i in range(rnd.randint(1, 5))
    ]
    boundary = [policy(*[rnd.choice(pool) for _ in range(3)], policy_id=f"s{seed}-pb")] if seed % 3 == 0 else []
    for _ in range(25):
        request = Request(rnd.choice(["iam:GetUser", "iam:ListUsers", "iam:CreateUser"]),
                          rnd.choice([ALICE, BOB, f"arn:aws:iam::{ACCOUNT}:role/admin"]), random_context(rnd))
        result = evaluate(request, identity, boundary_policies=boundary or None)
        expected_decision, expected_matches = reference(request, identity, boundary)
        assert result.decision == expected_decision, (request, pool)
        assert [(m.policy_id, m.statement_index, m.effect, m.source) for m in result.matched_statements] == (
            expected_matches
        )
