"""External access findings in the directory: roles of an account or organization analyzer's zone, one finding per
(role, principal), resolved when the access goes, kept archived, archived at once by a matching rule."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analyzers import evaluation
from analyzers.errors import ResourceNotFoundException, ValidationException
from analyzers.models import Analyzer, Finding
from analyzers.services import analyzed_resources, archive_rules
from analyzers.services import analyzers as analyzer_services
from directory.services import roles
from organizations.services import members as org_members
from organizations.services import organization as org_services
from organizations.services import policies as org_policies
from policies import generation as generations

pytestmark = pytest.mark.django_db

ORG_ID_KEY = "aws:PrincipalOrgID"


def trust(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: object, action: object = "sts:AssumeRole", **extra: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def analyzer(caller, name: str, type_: str = "ACCOUNT") -> Analyzer:  # type: ignore[no-untyped-def]
    return analyzer_services.create_analyzer(caller=caller, analyzer_name=name, type=type_)


def evaluate(made: Analyzer) -> dict[tuple[str, str], Finding]:
    evaluation.evaluate(made.pk)
    return {(f.resource.rsplit("/", 1)[-1], f.detail_key): f
            for f in Finding.objects.filter(analyzer=made, finding_type=Finding.Type.EXTERNAL_ACCESS)}


@pytest.fixture
def organization(root_caller):  # type: ignore[no-untyped-def]
    return org_services.create_organization(caller=root_caller)


@pytest.fixture
def make_stranger(root_caller, organization, make_account):  # type: ignore[no-untyped-def]
    """An account of the directory outside the organization (a trust policy may name only accounts it has)."""

    def make(name: str = "Partner") -> str:
        account_id = make_account(name).account.pk
        org_members.remove_account_from_organization(caller=root_caller, account_id=account_id)
        return account_id

    return make


@pytest.fixture
def stranger(make_stranger) -> str:  # type: ignore[no-untyped-def]
    return make_stranger()


def test_a_role_trusting_another_account_is_an_active_finding(root_caller, stranger) -> None:
    role = roles.create_role(caller=root_caller, role_name="partner",
                             assume_role_policy_document=trust(allow({"AWS": f"arn:aws:iam::{stranger}:root"})))
    roles.create_role(caller=root_caller, role_name="web", assume_role_policy_document=trust(
        allow({"Service": "ec2.amazonaws.com"}), allow({"AWS": f"arn:aws:iam::{root_caller.account_id}:root"})))
    found = evaluate(analyzer(root_caller, "account"))
    assert list(found) == [("partner", f"AWS:arn:aws:iam::{stranger}:root")]
    (finding,) = found.values()
    assert (finding.status, finding.resource, finding.resource_type) == ("ACTIVE", role.arn, "AWS::IAM::Role")
    assert finding.resource_owner_account == root_caller.account_id
    assert (finding.principal, finding.action, finding.condition, finding.is_public) == (
        {"AWS": f"arn:aws:iam::{stranger}:root"}, ["sts:AssumeRole"], {}, False)
    assert finding.details == [{"externalAccessDetails": {
        "principal": {"AWS": f"arn:aws:iam::{stranger}:root"}, "action": ["sts:AssumeRole"], "condition": {},
        "isPublic": False, "resourceControlPolicyRestriction": "NOT_APPLICABLE"}}]


def test_a_member_account_is_outside_the_account_zone_and_inside_the_organization_zone(
        root_caller, organization, stranger, make_account) -> None:
    member = make_account("Team")
    roles.create_role(caller=root_caller, role_name="team",
                      assume_role_policy_document=trust(allow({"AWS": member.account.pk})))
    anyone_in_org = trust(allow({"AWS": "*"}, Condition={"StringEquals": {ORG_ID_KEY: organization.pk}}))
    roles.create_role(caller=root_caller, role_name="org-wide", assume_role_policy_document=anyone_in_org)
    roles.create_role(caller=member.caller, role_name="partner",
                      assume_role_policy_document=trust(allow({"AWS": stranger})))
    in_account = evaluate(analyzer(root_caller, "account"))
    assert sorted(in_account) == [("org-wide", "AWS:*"), ("team", f"AWS:{member.account.pk}")]
    assert in_account[("org-wide", "AWS:*")].condition == {ORG_ID_KEY: organization.pk}
    assert in_account[("org-wide", "AWS:*")].is_public is False
    # The organization's analyzer sees every member's roles; the member's access role trusts the management
    # account, which is inside.
    in_org = evaluate(analyzer(root_caller, "organization", "ORGANIZATION"))
    assert list(in_org) == [("partner", f"AWS:{stranger}")]
    assert in_org[("partner", f"AWS:{stranger}")].resource_owner_account == member.account.pk


def test_a_public_role_and_a_federated_role(root_caller) -> None:
    roles.create_role(caller=root_caller, role_name="anyone", assume_role_policy_document=trust(allow("*")))
    provider = f"arn:aws:iam::{root_caller.account_id}:oidc-provider/token.actions.githubusercontent.com"
    roles.create_role(caller=root_caller, role_name="ci", assume_role_policy_document=trust(allow(
        {"Federated": provider}, "sts:AssumeRoleWithWebIdentity",
        Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}})))
    found = evaluate(analyzer(root_caller, "account"))
    assert found[("anyone", "AWS:*")].is_public is True
    ci = found[("ci", f"Federated:{provider}")]
    assert (ci.action, ci.condition) == (["sts:AssumeRoleWithWebIdentity"],
                                         {"token.actions.githubusercontent.com:sub": "repo:acme/*"})


def test_a_trust_change_resolves_the_finding_and_granting_again_reopens_it(root_caller, stranger) -> None:
    outside = trust(allow({"AWS": stranger}))
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=outside)
    made = analyzer(root_caller, "account")
    (first,) = evaluate(made).values()
    again = evaluate(made)
    assert [f.pk for f in again.values()] == [first.pk]  # a second run changes nothing
    roles.update_assume_role_policy(caller=root_caller, role_name="partner", policy_document=trust(
        allow({"AWS": root_caller.account_id})))
    (resolved,) = evaluate(made).values()
    assert (resolved.pk, resolved.status) == (first.pk, "RESOLVED")
    roles.update_assume_role_policy(caller=root_caller, role_name="partner", policy_document=outside)
    (reopened,) = evaluate(made).values()
    assert (reopened.pk, reopened.status) == (first.pk, "ACTIVE")


def test_a_deleted_role_resolves_its_finding(root_caller, stranger) -> None:
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger})))
    made = analyzer(root_caller, "account")
    evaluate(made)
    roles.delete_role(caller=root_caller, role_name="partner")
    assert [f.status for f in evaluate(made).values()] == ["RESOLVED"]


def test_an_archive_rule_archives_new_findings_and_they_stay_archived(root_caller, make_stranger) -> None:
    stranger, other = make_stranger(), make_stranger("Vendor")
    made = analyzer(root_caller, "account")
    archive_rules.create_archive_rule(caller=root_caller, analyzer_name="account", rule_name="partner",
                                      filter={"principal.AWS": {"eq": [stranger]}})
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger})))
    roles.create_role(caller=root_caller, role_name="other", assume_role_policy_document=trust(
        allow({"AWS": other})))
    found = evaluate(made)
    assert {name: f.status for (name, _key), f in found.items()} == {"partner": "ARCHIVED", "other": "ACTIVE"}
    archive_rules.delete_archive_rule(caller=root_caller, analyzer_name="account", rule_name="partner")
    roles.update_assume_role_policy(caller=root_caller, role_name="partner", policy_document=trust(
        allow({"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"])))
    (partner,) = [f for (name, _key), f in evaluate(made).items() if name == "partner"]
    assert (partner.status, partner.action) == ("ARCHIVED", ["sts:AssumeRole", "sts:TagSession"])


def test_an_rcp_of_the_roles_account_is_applied(root_caller, organization, stranger, make_account) -> None:
    org_services.enable_policy_type(caller=root_caller, root_id=organization.root_id,
                                    policy_type="RESOURCE_CONTROL_POLICY")
    perimeter = org_policies.create_policy(
        caller=root_caller, name="NoOutsideTags", description="", policy_type="RESOURCE_CONTROL_POLICY",
        content=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "sts:TagSession", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {ORG_ID_KEY: organization.pk}}}]})).policy.id
    org_policies.attach_policy(caller=root_caller, policy_id=perimeter, target_id=organization.root_id)
    member = make_account("Team")
    roles.create_role(caller=member.caller, role_name="member-partner", assume_role_policy_document=trust(
        allow({"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"])))
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"])))
    found = evaluate(analyzer(root_caller, "organization", "ORGANIZATION"))
    by_owner = {f.resource_owner_account: f for f in found.values()}
    restricted = by_owner[member.account.pk]
    assert restricted.action == ["sts:AssumeRole"]
    assert restricted.details[0]["externalAccessDetails"]["resourceControlPolicyRestriction"] == "APPLIED"
    # RCPs do not restrict the management account's resources.
    exempt = by_owner[root_caller.account_id]
    assert exempt.action == ["sts:AssumeRole", "sts:TagSession"]
    assert exempt.details[0]["externalAccessDetails"]["resourceControlPolicyRestriction"] == "NOT_APPLICABLE"


def test_the_evaluation_reads_the_roles_in_a_constant_number_of_queries(root_caller, stranger) -> None:
    made = analyzer(root_caller, "account")

    def queries_with(count: int) -> int:
        for index in range(count):
            roles.create_role(caller=root_caller, role_name=f"partner-{count}-{index}",
                              assume_role_policy_document=trust(allow({"AWS": stranger}, Condition={
                                  "StringEquals": {"sts:ExternalId": f"partner-{count}-{index}"}})))
        generations.forget_all()  # each run reads the role's account's guardrails afresh
        with CaptureQueriesContext(connection) as captured:
            evaluation.evaluate(made.pk)
        return len(captured)

    few = queries_with(2)
    assert queries_with(12) == few
    assert Finding.objects.filter(analyzer=made, status="ACTIVE").count() == 14


def test_the_analyzed_resources_are_the_zones_roles_with_what_their_findings_say(root_caller, stranger) -> None:
    partner = roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"])))
    web = roles.create_role(caller=root_caller, role_name="web", assume_role_policy_document=trust(
        allow({"Service": "ec2.amazonaws.com"})))
    made = analyzer(root_caller, "account")
    assert analyzed_resources.list_analyzed_resources(caller=root_caller, analyzer_arn=made.arn) == ([], None)
    evaluate(made)
    made.refresh_from_db()
    assert made.last_resource_analyzed.startswith(f"arn:aws:iam::{root_caller.account_id}:role/")
    listed, token = analyzed_resources.list_analyzed_resources(caller=root_caller, analyzer_arn=made.arn)
    arns = [arn for arn, _owner, _type in listed]
    assert {partner.arn, web.arn} <= set(arns) and token is None
    assert {(owner, kind) for _arn, owner, kind in listed} == {(root_caller.account_id, "AWS::IAM::Role")}
    first, token = analyzed_resources.list_analyzed_resources(caller=root_caller, analyzer_arn=made.arn,
                                                              max_results=1)
    rest, _ = analyzed_resources.list_analyzed_resources(caller=root_caller, analyzer_arn=made.arn,
                                                         next_token=token, max_results=1000)
    assert [arn for arn, _o, _t in first + rest] == arns
    shared = analyzed_resources.get_analyzed_resource(caller=root_caller, analyzer_arn=made.arn,
                                                      resource_arn=partner.arn)
    assert (shared.actions, shared.is_public, shared.status) == (["sts:AssumeRole", "sts:TagSession"], False,
                                                                 "ACTIVE")
    private = analyzed_resources.get_analyzed_resource(caller=root_caller, analyzer_arn=made.arn,
                                                       resource_arn=web.arn)
    assert (private.actions, private.is_public, private.status) == ([], False, None)
    assert private.analyzed_at == made.last_resource_analyzed_at


def test_an_unanalysed_resource_is_not_found_and_unused_access_analyzers_have_none(root_caller) -> None:
    made = analyzer(root_caller, "account")
    evaluate(made)
    with pytest.raises(ResourceNotFoundException):
        analyzed_resources.get_analyzed_resource(
            caller=root_caller, analyzer_arn=made.arn,
            resource_arn=f"arn:aws:iam::{root_caller.account_id}:role/missing")
    unused = analyzer(root_caller, "unused", "ACCOUNT_UNUSED_ACCESS")
    with pytest.raises(ValidationException):
        analyzed_resources.list_analyzed_resources(caller=root_caller, analyzer_arn=unused.arn)


def test_a_policy_change_is_followed_by_the_next_refresh_and_nothing_else_is(root_caller, stranger) -> None:
    from django.conf import settings
    from django.core.cache import cache

    from analyzers import external_refresh, tasks

    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-changed-external-access"]
    assert entry["task"] == tasks.evaluate_changed_external_access.name
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger})))
    made = analyzer(root_caller, "account")
    analyzer(root_caller, "unused", "ACCOUNT_UNUSED_ACCESS")  # not an external access analyzer: never refreshed
    cache.delete(external_refresh._key(made.pk))
    assert external_refresh.evaluate_changed() == 1
    (finding,) = Finding.objects.filter(analyzer=made)
    assert finding.status == "ACTIVE"
    assert external_refresh.evaluate_changed() == 0  # nothing changed since
    roles.update_assume_role_policy(caller=root_caller, role_name="partner", policy_document=trust(
        allow({"AWS": root_caller.account_id})))
    assert external_refresh.evaluate_changed() == 1
    finding.refresh_from_db()
    assert finding.status == "RESOLVED"


def test_an_archive_rule_on_the_identity_center_provider_archives_its_roles_findings(root_caller) -> None:
    made = analyzer(root_caller, "account")
    archive_rules.create_archive_rule(caller=root_caller, analyzer_name="account", rule_name="identity-center",
                                      filter={"principal.Federated": {"contains": ["saml-provider/AWSSSO_"]}})
    provider = f"arn:aws:iam::{root_caller.account_id}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    roles.create_role(caller=root_caller, role_name="AWSReservedSSO_Admin_0123456789abcdef",
                      assume_role_policy_document=trust(allow(
                          {"Federated": provider}, ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                          Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})))
    (finding,) = evaluate(made).values()
    assert (finding.principal, finding.status) == ({"Federated": provider}, "ARCHIVED")
    assert finding.action == ["sts:AssumeRoleWithSAML", "sts:TagSession"]


def test_a_role_whose_analysis_fails_gets_an_error_finding_and_the_others_are_analysed(
        root_caller, stranger, monkeypatch) -> None:
    from analyzers import external_access

    broken = trust(allow({"AWS": stranger}, Condition={"StringEquals": {"sts:ExternalId": "breaks-the-engine"}}))
    roles.create_role(caller=root_caller, role_name="broken", assume_role_policy_document=broken)
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        allow({"AWS": stranger})))
    analyze = external_access.analyze_trust_policy

    def failing(document: str, **kwargs):  # type: ignore[no-untyped-def]
        if "breaks-the-engine" in document:
            raise RecursionError("an engine failure")
        return analyze(document, **kwargs)

    monkeypatch.setattr(external_access, "analyze_trust_policy", failing)
    made = analyzer(root_caller, "account")
    found = evaluate(made)
    error = found[("broken", "error")]
    assert (error.status, error.error, error.details) == ("ACTIVE", "INTERNAL_ERROR", [{"externalAccessDetails": {}}])
    assert found[("partner", f"AWS:{stranger}")].status == "ACTIVE"
    monkeypatch.setattr(external_access, "analyze_trust_policy", analyze)  # the engine works again
    found = evaluate(made)
    assert found[("broken", "error")].status == "RESOLVED"
    assert found[("broken", f"AWS:{stranger}")].status == "ACTIVE"
