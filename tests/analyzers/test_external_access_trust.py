"""External access in role trust policies, over plain data: which principals outside the zone of trust get in."""

from __future__ import annotations

import hashlib
import json

import pytest

from analyzers.trust_access import RCP_APPLIED, RCP_NOT_APPLICABLE, analyze_trust_policy
from analyzers.zones import ACCOUNT, ORGANIZATION, ZoneOfTrust
from policies.language import GuardrailLevel, compile_policy

HOME, MEMBER, STRANGER = "111111111111", "222222222222", "999999999999"
ORG_ID = "o-abcdefghij"
ROLE = f"arn:aws:iam::{HOME}:role/deploy"
ACCOUNT_ZONE = ZoneOfTrust(ACCOUNT, frozenset({HOME}))
ORG_ZONE = ZoneOfTrust(ORGANIZATION, frozenset({HOME, MEMBER}), ORG_ID)
GITHUB = f"arn:aws:iam::{HOME}:oidc-provider/token.actions.githubusercontent.com"


def trust(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: object, action: object = "sts:AssumeRole", **extra: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def findings(document: str, zone: ZoneOfTrust = ACCOUNT_ZONE, rcps=None):  # type: ignore[no-untyped-def]
    return analyze_trust_policy(document, role_arn=ROLE, zone=zone, rcps=rcps)


def test_another_accounts_root_is_external() -> None:
    (found,) = findings(trust(allow({"AWS": f"arn:aws:iam::{STRANGER}:root"})))
    assert found.principal == {"AWS": f"arn:aws:iam::{STRANGER}:root"}
    assert found.actions == ("sts:AssumeRole",)
    assert found.condition == {}
    assert found.is_public is False
    assert found.rcp_restriction == RCP_NOT_APPLICABLE


@pytest.mark.parametrize("principal", [STRANGER, f"arn:aws:iam::{STRANGER}:role/ci",
                                       f"arn:aws:iam::{STRANGER}:user/alice"])
def test_a_bare_account_id_and_another_accounts_role_or_user_are_external(principal: str) -> None:
    (found,) = findings(trust(allow({"AWS": principal})))
    assert found.principal == {"AWS": principal}


def test_the_zones_own_account_and_service_principals_are_no_finding() -> None:
    document = trust(allow({"AWS": [f"arn:aws:iam::{HOME}:root", f"arn:aws:iam::{HOME}:role/admin"]}),
                     allow({"Service": "ec2.amazonaws.com"}))
    assert findings(document) == []


def test_a_member_account_is_inside_the_organization_zone_and_outside_the_account_zone() -> None:
    document = trust(allow({"AWS": MEMBER}))
    assert [f.principal for f in findings(document, ACCOUNT_ZONE)] == [{"AWS": MEMBER}]
    assert findings(document, ORG_ZONE) == []


def test_one_finding_per_external_principal_with_every_action_granted() -> None:
    document = trust(allow({"AWS": [STRANGER, "888888888888", HOME]}, ["sts:AssumeRole", "sts:TagSession"]),
                     allow({"AWS": STRANGER}, "sts:SetSourceIdentity"))
    found = {f.key: f.actions for f in findings(document)}
    assert found == {"AWS:888888888888": ("sts:AssumeRole", "sts:TagSession"),
                     f"AWS:{STRANGER}": ("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession")}


def test_a_deny_in_the_trust_policy_takes_its_actions_away() -> None:
    document = trust(allow({"AWS": STRANGER}, ["sts:AssumeRole", "sts:TagSession"]),
                     {"Effect": "Deny", "Principal": {"AWS": STRANGER}, "Action": "sts:AssumeRole"})
    (found,) = findings(document)
    assert found.actions == ("sts:TagSession",)
    denied_all = trust(allow({"AWS": STRANGER}), {"Effect": "Deny", "Principal": "*", "Action": "sts:*"})
    assert findings(denied_all) == []


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}])
def test_anyone_is_public_in_either_zone(principal: object) -> None:
    for zone in (ACCOUNT_ZONE, ORG_ZONE):
        (found,) = findings(trust(allow(principal)), zone)
        assert found.principal == {"AWS": "*"}
        assert found.is_public is True


def test_anyone_in_the_organization_is_inside_the_organization_zone_only() -> None:
    document = trust(allow({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}))
    assert findings(document, ORG_ZONE) == []
    (found,) = findings(document, ACCOUNT_ZONE)
    assert found.is_public is False
    assert found.condition == {"aws:PrincipalOrgID": ORG_ID}


@pytest.mark.parametrize("key", ["aws:PrincipalAccount", "aws:SourceAccount"])
def test_anyone_pinned_to_the_zones_account_is_no_finding(key: str) -> None:
    assert findings(trust(allow({"AWS": "*"}, Condition={"StringEquals": {key: HOME}}))) == []


def test_anyone_pinned_to_another_account_is_external_but_not_public() -> None:
    document = trust(allow("*", Condition={"StringEquals": {"aws:PrincipalAccount": STRANGER}}))
    (found,) = findings(document, ORG_ZONE)
    assert (found.principal, found.is_public) == ({"AWS": "*"}, False)
    assert found.condition == {"aws:PrincipalAccount": STRANGER}


def test_a_condition_the_caller_chooses_leaves_anyone_public() -> None:
    document = trust(allow("*", Condition={"StringEquals": {"sts:ExternalId": "shared-secret"}}))
    (found,) = findings(document)
    assert found.is_public is True
    assert found.condition == {"sts:ExternalId": "shared-secret"}


def test_a_deny_outside_the_organization_keeps_anyone_inside_the_organization_zone() -> None:
    document = trust(allow("*"), {"Effect": "Deny", "Principal": "*", "Action": "sts:*",
                                  "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}})
    assert findings(document, ORG_ZONE) == []
    assert [f.principal for f in findings(document, ACCOUNT_ZONE)] == [{"AWS": "*"}]


def test_an_oidc_provider_is_external_with_the_conditions_that_limit_it() -> None:
    limited = trust(allow({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", Condition={
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/api:*", "repo:acme/web:*"]}}))
    (found,) = findings(limited, ORG_ZONE)
    assert found.principal == {"Federated": GITHUB}
    assert found.actions == ("sts:AssumeRoleWithWebIdentity",)
    assert found.condition == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                               "token.actions.githubusercontent.com:sub": "repo:acme/api:*,repo:acme/web:*"}
    (unlimited,) = findings(trust(allow({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity")), ORG_ZONE)
    assert unlimited.principal == {"Federated": GITHUB}
    assert unlimited.condition == {}


def test_a_saml_provider_is_external() -> None:
    saml = f"arn:aws:iam::{HOME}:saml-provider/corp"
    (found,) = findings(trust(allow({"Federated": saml}, "sts:AssumeRoleWithSAML", Condition={
        "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})))
    assert (found.principal, found.actions) == ({"Federated": saml}, ("sts:AssumeRoleWithSAML",))


def test_a_document_that_is_not_a_policy_grants_nothing() -> None:
    assert findings("{not json") == []


def rcp_path(*statements: dict) -> list[GuardrailLevel]:
    full = compile_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}), "rcp:p-RCPFullAWSAccess", "1")
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    # Compiled policies are cached by (id, version): each perimeter gets an id of its own.
    perimeter = compile_policy(text, f"rcp:p-{hashlib.sha256(text.encode()).hexdigest()[:8]}", "1")
    return [GuardrailLevel("root", "r-ab12", (full, perimeter)), GuardrailLevel("account", HOME, (full,))]


def test_an_rcp_that_denies_some_actions_to_outsiders_is_applied() -> None:
    rcps = rcp_path({"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession", "Resource": "*",
                     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}}})
    (found,) = findings(trust(allow({"AWS": STRANGER}, ["sts:AssumeRole", "sts:TagSession"])), ORG_ZONE, rcps)
    assert found.actions == ("sts:AssumeRole",)
    assert found.rcp_restriction == RCP_APPLIED


def test_an_rcp_that_denies_every_action_to_outsiders_leaves_no_finding() -> None:
    rcps = rcp_path({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Resource": "*",
                     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}}})
    assert findings(trust(allow({"AWS": STRANGER})), ORG_ZONE, rcps) == []


def test_an_rcp_that_denies_nothing_to_the_principal_is_not_applicable() -> None:
    rcps = rcp_path({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    (found,) = findings(trust(allow({"AWS": STRANGER})), ORG_ZONE, rcps)
    assert found.rcp_restriction == RCP_NOT_APPLICABLE


def test_a_named_account_cannot_present_another_accounts_id_as_principal_account() -> None:
    pinned_home = trust(allow({"AWS": STRANGER}, Condition={"StringEquals": {"aws:PrincipalAccount": HOME}}))
    assert findings(pinned_home) == []
    pinned_itself = trust(allow({"AWS": STRANGER}, Condition={"StringEquals": {"aws:PrincipalAccount": STRANGER}}))
    assert [f.principal for f in findings(pinned_itself)] == [{"AWS": STRANGER}]


def test_an_account_outside_the_organization_cannot_present_its_id_as_principal_org_id() -> None:
    zone = ZoneOfTrust(ACCOUNT, frozenset({HOME}), home_organization=(ORG_ID, frozenset({HOME, MEMBER})))
    org_only = {"Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}
    assert findings(trust(allow({"AWS": STRANGER}, **org_only)), zone) == []
    (member,) = findings(trust(allow({"AWS": MEMBER}, **org_only)), zone)
    assert (member.principal, member.condition) == ({"AWS": MEMBER}, {"aws:PrincipalOrgID": ORG_ID})
    elsewhere = {"Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}}
    assert [f.principal for f in findings(trust(allow({"AWS": STRANGER}, **elsewhere)), zone)] == [
        {"AWS": STRANGER}]
