"""Service control policies and resource control policies in the evaluation, and the cross-account rule."""

from __future__ import annotations

import json

import pytest

from policies.language import (
    GuardrailLevel,
    Request,
    compile_document,
    evaluate,
    evaluate_access,
    evaluate_guardrails,
    parse_policy,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS = {"Version": "2012-10-17",
                   "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def policy(document: dict, policy_id: str):  # type: ignore[no-untyped-def]
    return compile_document(parse_policy(json.dumps(document)).document, policy_id, "v1")


def allow(action: str, policy_id: str, resource: str = "*", **extra):  # type: ignore[no-untyped-def]
    return policy({"Version": "2012-10-17",
                   "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}]}, policy_id)


def deny(action: str, policy_id: str, **extra):  # type: ignore[no-untyped-def]
    return policy({"Version": "2012-10-17",
                   "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*", **extra}]}, policy_id)


def path(*per_level):  # type: ignore[no-untyped-def]
    kinds = ["root"] + ["ou"] * (len(per_level) - 2) + ["account"]
    ids = ["r-ab12"] + [f"ou-ab12-0000000{i}" for i in range(len(per_level) - 2)] + [ACCOUNT]
    return [GuardrailLevel(kind, level_id, tuple(policies))
            for kind, level_id, policies in zip(kinds, ids, per_level, strict=True)]


ADMIN = [allow("*", "admin")]
CREATE_USER = Request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob")


def test_full_access_at_every_level_leaves_the_identity_decision_alone() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    decision = evaluate(CREATE_USER, ADMIN, scps=path([full], [full], [full]))
    assert decision.allowed
    assert decision.policy_type == "identity"


def test_an_scp_never_grants() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    decision = evaluate(CREATE_USER, [], scps=path([full], [full], [full]))
    assert not decision.allowed
    assert decision.policy_type == "identity"


def test_missing_allow_at_one_ou_denies_and_names_the_level() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    only_s3 = allow("s3:*", "p-s3only")
    decision = evaluate(CREATE_USER, ADMIN, scps=path([full], [only_s3], [full]))
    assert decision.decision == "implicitDeny"
    assert decision.policy_type == "scp"
    assert decision.level == ("ou", "ou-ab12-00000000")
    assert decision.reason == "no service control policy at OU ou-ab12-00000000 allows iam:CreateUser"


def test_deny_at_root_wins_over_allows_everywhere_and_is_reported_with_its_policy() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    no_iam = deny("iam:*", "p-noiam")
    decision = evaluate(CREATE_USER, ADMIN, scps=path([full, no_iam], [full], [full]))
    assert decision.decision == "explicitDeny"
    assert decision.reason == "explicitly denied by service control policy p-noiam at root r-ab12"
    assert (decision.policy_type, decision.level) == ("scp", ("root", "r-ab12"))
    [matched] = decision.matched_statements
    assert (matched.source, matched.level, matched.policy_id) == ("scp", ("root", "r-ab12"), "p-noiam")


def test_one_of_several_scps_at_a_level_is_enough() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    levels = path([full], [allow("s3:*", "p-a"), allow("iam:Create*", "p-b"), allow("ec2:*", "p-c")], [full])
    assert evaluate(CREATE_USER, ADMIN, scps=levels).allowed
    assert not evaluate(Request("iam:DeleteUser", CREATE_USER.resource), ADMIN, scps=levels).allowed


def test_scp_conditions_and_resources_apply_since_the_full_iam_language() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    eu_only = allow("*", "p-eu", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
    levels = path([full], [eu_only], [full])
    in_eu = Request("iam:CreateUser", CREATE_USER.resource, {"aws:RequestedRegion": "eu-west-1"})
    in_us = Request("iam:CreateUser", CREATE_USER.resource, {"aws:RequestedRegion": "us-east-1"})
    assert evaluate(in_eu, ADMIN, scps=levels).allowed
    assert not evaluate(in_us, ADMIN, scps=levels).allowed


def test_explicit_identity_deny_is_still_reported_as_identity() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    decision = evaluate(CREATE_USER, [*ADMIN, deny("iam:CreateUser", "mine")], scps=path([full], [full]))
    assert decision.decision == "explicitDeny"
    assert decision.policy_type == "identity"
    assert decision.level is None


def test_member_root_user_is_restricted_by_guardrails_only() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    no_delete = deny("iam:Delete*", "p-nodelete")
    levels = path([full], [full, no_delete], [full])
    assert evaluate_guardrails(CREATE_USER, scps=levels).allowed
    refused = evaluate_guardrails(Request("iam:DeleteUser", CREATE_USER.resource), scps=levels)
    assert refused.decision == "explicitDeny"
    assert refused.level == ("ou", "ou-ab12-00000000")
    root = evaluate_access(CREATE_USER, principal_arn=f"arn:aws:iam::{ACCOUNT}:root", root=True, scps=levels)
    assert root.allowed


def test_management_account_passes_no_path_and_is_unrestricted() -> None:
    assert evaluate(CREATE_USER, ADMIN, scps=None).allowed
    assert evaluate_guardrails(CREATE_USER).allowed


def test_rcp_deny_outside_the_organization_uses_the_principal_context() -> None:
    rcp_full = policy(RCP_FULL_ACCESS, "p-RCPFullAWSAccess")
    perimeter = policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}}]}, "p-perimeter")
    rcps = path([rcp_full, perimeter], [rcp_full])
    role = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    inside = Request("sts:AssumeRole", role, {"aws:PrincipalOrgID": "o-abc123"})
    outside = Request("sts:AssumeRole", role, {"aws:PrincipalOrgID": "o-zzz999"})
    assumer = [allow("sts:AssumeRole", "assume")]
    assert evaluate(inside, assumer, rcps=rcps, principal_arn=USER).allowed
    refused = evaluate(outside, assumer, rcps=rcps, principal_arn=USER)
    assert refused.decision == "explicitDeny"
    assert refused.reason == "explicitly denied by resource control policy p-perimeter at root r-ab12"
    assert refused.matched_statements[0].source == "rcp"


def test_rcp_level_without_an_allow_denies_before_the_scp_path() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    rcp_full = policy(RCP_FULL_ACCESS, "p-RCPFullAWSAccess")
    decision = evaluate(CREATE_USER, ADMIN, scps=path([full], [allow("s3:*", "p-s3")]), rcps=path([rcp_full], []))
    assert (decision.policy_type, decision.level) == ("rcp", ("account", ACCOUNT))
    assert decision.reason == f"no resource control policy at account {ACCOUNT} allows iam:CreateUser"


def test_guardrail_level_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError):
        GuardrailLevel("folder", "f-1", ())


# ---------------------------------------------------------------- cross-account rule

BUCKET_OBJECT = "arn:aws:s3:::shared/report.csv"
GET = Request("s3:GetObject", BUCKET_OBJECT)


def resource_policy(principal: object, effect: str = "Allow"):  # type: ignore[no-untyped-def]
    return policy({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]},
        "bucket-policy")


@pytest.mark.parametrize(
    ("identity", "principal", "resource_account", "expected"),
    [
        # same account: a resource policy naming the principal is enough on its own
        ([], {"AWS": USER}, ACCOUNT, "allowed"),
        ([], "*", ACCOUNT, "allowed"),
        # same account: trusting the account delegates to the identity side
        ([], {"AWS": ACCOUNT}, ACCOUNT, "implicitDeny"),
        (["s3:GetObject"], {"AWS": ACCOUNT}, ACCOUNT, "allowed"),
        # same account: the identity side alone is enough
        (["s3:GetObject"], {"AWS": f"arn:aws:iam::{OTHER}:root"}, ACCOUNT, "allowed"),
        # across accounts both sides must allow
        ([], {"AWS": USER}, OTHER, "implicitDeny"),
        (["s3:GetObject"], {"AWS": f"arn:aws:iam::{OTHER}:root"}, OTHER, "implicitDeny"),
        (["s3:GetObject"], {"AWS": USER}, OTHER, "allowed"),
        (["s3:GetObject"], {"AWS": ACCOUNT}, OTHER, "allowed"),
    ],
)
def test_cross_account_rule(identity, principal, resource_account, expected) -> None:  # type: ignore[no-untyped-def]
    identity_policies = [allow(action, f"id-{action}") for action in identity]
    decision = evaluate_access(GET, principal_arn=USER, resource_account=resource_account,
                               identity_policies=identity_policies, resource_policy=resource_policy(principal))
    assert decision.decision == expected


def test_cross_account_refusal_names_the_resource_policy() -> None:
    decision = evaluate_access(GET, principal_arn=USER, resource_account=OTHER,
                               identity_policies=[allow("s3:*", "s3")], resource_policy=None)
    assert decision.policy_type == "resource"
    assert decision.reason == f"the resource-based policy of account {OTHER} does not allow the principal"


def test_resource_policy_deny_wins_over_identity_allow() -> None:
    decision = evaluate_access(GET, principal_arn=USER, resource_account=ACCOUNT,
                               identity_policies=[allow("s3:*", "s3")],
                               resource_policy=resource_policy({"AWS": USER}, "Deny"))
    assert (decision.decision, decision.policy_type) == ("explicitDeny", "resource")


def test_guardrails_cap_a_same_account_resource_policy_grant() -> None:
    full = policy(FULL_ACCESS, "p-FullAWSAccess")
    decision = evaluate_access(GET, principal_arn=USER, resource_account=ACCOUNT,
                               resource_policy=resource_policy({"AWS": USER}),
                               scps=path([full], [allow("iam:*", "p-iam-only")]))
    assert (decision.decision, decision.policy_type) == ("implicitDeny", "scp")


def test_trust_policy_required_in_the_same_account() -> None:
    trust = policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]}, "trust")
    assume = Request("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/deploy")
    without_identity = evaluate_access(assume, principal_arn=USER, resource_account=ACCOUNT,
                                       resource_policy=trust, resource_policy_required=True)
    assert not without_identity.allowed
    with_identity = evaluate_access(assume, principal_arn=USER, resource_account=ACCOUNT,
                                    identity_policies=[allow("sts:AssumeRole", "a")],
                                    resource_policy=trust, resource_policy_required=True)
    assert with_identity.allowed
    no_trust = evaluate_access(assume, principal_arn=USER, resource_account=ACCOUNT,
                               identity_policies=[allow("sts:AssumeRole", "a")], resource_policy_required=True)
    assert not no_trust.allowed
