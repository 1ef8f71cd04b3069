"""Analyzers, archive rules and unused-access findings through the services: errors and limits as AWS has them,
findings that appear, archive and resolve as time passes (timestamps moved back in the database, not slept)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analyzers import evaluation
from analyzers.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from analyzers.models import Analyzer, Finding
from analyzers.services import analyzers, archive_rules, findings, tags
from directory.models import AccessKey, Role, User
from evidence.models import ActionUsage
from iam_console.errors import AccessDenied
from organizations.services.organization import create_organization
from tests.sts.conftest import trust, user_arn

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def _age(days: int) -> None:
    long_ago = timezone.now() - timedelta(days=days)
    User.objects.filter(is_superuser=False).update(create_date=long_ago)
    User.objects.filter(login_profile_create_date__isnull=False).update(login_profile_create_date=long_ago)
    Role.objects.update(create_date=long_ago)
    AccessKey.objects.update(create_date=long_ago)


def _used(entity_id: str, action: str, *, days_ago: int = 1, account: str = "123456789012") -> None:
    service, _, name = action.partition(":")
    ActionUsage.objects.create(account_id=account, entity_type="role" if entity_id.startswith("AROA") else "user",
                               entity_id=entity_id, service=service, action=name, allowed=True, count=3,
                               last_at=timezone.now() - timedelta(days=days_ago), last_principal_arn="x",
                               last_source="query")


def _unused(root_caller, name="unused", **kwargs) -> Analyzer:
    return analyzers.create_analyzer(caller=root_caller, analyzer_name=name, type="ACCOUNT_UNUSED_ACCESS", **kwargs)


def _findings(analyzer: Analyzer) -> dict[tuple[str, str, str], str]:
    return {(f.resource.rsplit(":", 1)[1], f.finding_type, f.detail_key): f.status
            for f in Finding.objects.filter(analyzer=analyzer)}


def test_an_analyzer_is_created_read_listed_updated_and_deleted(root_caller):
    created = _unused(root_caller, tags={"team": "sec"},
                      configuration={"unusedAccess": {"unusedAccessAge": 30}})
    assert created.arn == "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused"
    got = analyzers.get_analyzer(caller=root_caller, analyzer_name="unused")
    assert (got.type, got.status, got.unused_access_age, got.tags) == ("ACCOUNT_UNUSED_ACCESS", "ACTIVE", 30,
                                                                       {"team": "sec"})
    analyzers.create_analyzer(caller=root_caller, analyzer_name="external", type="ACCOUNT")
    listed, token = analyzers.list_analyzers(caller=root_caller, max_results=1)
    assert [a.name for a in listed] == ["external"] and token
    rest, token = analyzers.list_analyzers(caller=root_caller, max_results=1, next_token=token)
    assert [a.name for a in rest] == ["unused"] and token is None
    assert [a.name for a in analyzers.list_analyzers(caller=root_caller, type="ACCOUNT")[0]] == ["external"]
    updated = analyzers.update_analyzer(caller=root_caller, analyzer_name="unused", configuration={
        "unusedAccess": {"unusedAccessAge": 200, "analysisRule": {"exclusions": [{"accountIds": ["111122223333"]}]}}})
    assert analyzers.configuration_of(updated) == {"unusedAccess": {
        "unusedAccessAge": 200, "analysisRule": {"exclusions": [{"accountIds": ["111122223333"]}]}}}
    analyzers.delete_analyzer(caller=root_caller, analyzer_name="unused")
    with pytest.raises(ResourceNotFoundException) as missing:
        analyzers.get_analyzer(caller=root_caller, analyzer_name="unused")
    assert missing.value.fields == {"resourceId": "unused", "resourceType": "AWS::AccessAnalyzer::Analyzer"}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"analyzer_name": "1bad", "type": "ACCOUNT"}, "analyzerName"),
    ({"analyzer_name": "a" * 256, "type": "ACCOUNT"}, "analyzerName"),
    ({"analyzer_name": "ok", "type": "SOMETHING"}, "type"),
    ({"analyzer_name": "ok", "type": "ACCOUNT_UNUSED_ACCESS",
      "configuration": {"unusedAccess": {"unusedAccessAge": 366}}}, "configuration.unusedAccess.unusedAccessAge"),
    ({"analyzer_name": "ok", "type": "ACCOUNT_UNUSED_ACCESS",
      "configuration": {"unusedAccess": {"unusedAccessAge": 0}}}, "configuration.unusedAccess.unusedAccessAge"),
    ({"analyzer_name": "ok", "type": "ACCOUNT", "configuration": {"unusedAccess": {"unusedAccessAge": 30}}},
     "configuration"),
    ({"analyzer_name": "ok", "type": "ACCOUNT",
      "archive_rules": [{"ruleName": "r", "filter": {"colour": {"eq": ["red"]}}}]}, "archiveRules.0.filter.colour"),
])
def test_invalid_input_is_refused_with_the_field_named_and_nothing_stored(root_caller, kwargs, field):
    with pytest.raises(ValidationException) as refused:
        analyzers.create_analyzer(caller=root_caller, **kwargs)
    assert refused.value.fields["fieldList"][0]["name"] == field
    assert refused.value.fields["reason"] == "fieldValidationFailed"
    assert not Analyzer.objects.exists()


def test_duplicate_names_conflict_and_the_account_level_quota_is_one_per_type(root_caller):
    _unused(root_caller)
    with pytest.raises(ConflictException) as duplicate:
        analyzers.create_analyzer(caller=root_caller, analyzer_name="unused", type="ACCOUNT")
    assert duplicate.value.fields["resourceId"] == "unused"
    with pytest.raises(ServiceQuotaExceededException):
        _unused(root_caller, name="another")
    with pytest.raises(ValidationException):  # no organization: nothing to analyze organization-wide
        analyzers.create_analyzer(caller=root_caller, analyzer_name="org", type="ORGANIZATION_UNUSED_ACCESS")
    create_organization(caller=root_caller)
    for n in range(5):
        analyzers.create_analyzer(caller=root_caller, analyzer_name=f"org{n}", type="ORGANIZATION_UNUSED_ACCESS")
    with pytest.raises(ServiceQuotaExceededException):
        analyzers.create_analyzer(caller=root_caller, analyzer_name="org5", type="ORGANIZATION_UNUSED_ACCESS")


def test_a_caller_without_permission_is_refused(make_user, root_caller):
    from policies.authorization import Caller

    alice = make_user("alice", policies=(READ_ONLY,))
    with pytest.raises(AccessDenied):
        analyzers.create_analyzer(caller=Caller(principal=alice), analyzer_name="a", type="ACCOUNT")
    assert not Analyzer.objects.exists()


def test_archive_rules_crud_filters_checked_and_tags(root_caller):
    analyzer = _unused(root_caller, archive_rules=[{"ruleName": "keys", "filter": {
        "findingType": {"eq": ["UnusedIAMUserAccessKey"]}}}])
    rule = archive_rules.create_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles",
                                             filter={"resourceType": {"eq": ["AWS::IAM::Role"]}})
    assert rule.arn == f"{analyzer.arn}/archive-rule/roles"
    with pytest.raises(ConflictException):
        archive_rules.create_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles",
                                          filter={"status": {"eq": ["ACTIVE"]}})
    with pytest.raises(ValidationException):
        archive_rules.update_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles",
                                          filter={"status": {"eq": []}})
    with pytest.raises(ValidationException):
        archive_rules.update_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles",
                                          filter={"status": {"like": ["x"]}})
    assert archive_rules.get_archive_rule(caller=root_caller, analyzer_name="unused",
                                          rule_name="roles").filter == {"resourceType": {"eq": ["AWS::IAM::Role"]}}
    names = [r.name for r in archive_rules.list_archive_rules(caller=root_caller, analyzer_name="unused")[0]]
    assert names == ["keys", "roles"]
    tags.tag_resource(caller=root_caller, resource_arn=rule.arn, tags={"a": "1", "b": "2"})
    tags.untag_resource(caller=root_caller, resource_arn=rule.arn, tag_keys=["a"])
    assert tags.list_tags_for_resource(caller=root_caller, resource_arn=rule.arn) == {"b": "2"}
    archive_rules.delete_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles")
    with pytest.raises(ResourceNotFoundException):
        archive_rules.get_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="roles")


def test_unused_access_findings_appear_archive_and_resolve(make_user, make_role, root_caller):
    alice = make_user("alice", password="Passw0rd!-alice-1", access_key=True, policies=(READ_ONLY,))
    role = make_role("reader", trust(user_arn("alice")), policies=(READ_ONLY,))
    analyzer = _unused(root_caller, archive_rules=[{"ruleName": "keys", "filter": {
        "findingType": {"eq": ["UnusedIAMUserAccessKey"]}}}])
    evaluation.evaluate(analyzer.pk)
    assert _findings(analyzer) == {}  # everything is younger than the period

    _age(days=120)
    _used(alice.user_id, "iam:ListUsers", days_ago=3)
    evaluation.evaluate(analyzer.pk)
    found = _findings(analyzer)
    key_id = alice.test_access_key[0]
    assert found[("role/reader", "UnusedIAMRole", "")] == "ACTIVE"
    assert found[("user/alice", "UnusedIAMUserPassword", "")] == "ACTIVE"
    assert found[("user/alice", "UnusedIAMUserAccessKey", key_id)] == "ARCHIVED"  # the archive rule matched
    assert found[("user/alice", "UnusedPermission", "iam")] == "ACTIVE"
    assert not any(key[0] == "role/reader" and key[1] == "UnusedPermission" for key in found)
    permission = Finding.objects.get(analyzer=analyzer, finding_type="UnusedPermission")
    detail = permission.details[0]["unusedPermissionDetails"]
    assert detail["serviceNamespace"] == "iam" and "ListUsers" not in [a["action"] for a in detail["actions"]]
    assert "GetUser" in [a["action"] for a in detail["actions"]]

    evaluation.evaluate(analyzer.pk)  # again: nothing duplicated
    assert _findings(analyzer) == found

    # The role acts, and the key is used: their findings resolve on the next evaluation.
    _used(role.role_id, "iam:GetUser", days_ago=0)
    AccessKey.objects.update(last_used_date=timezone.now())
    evaluation.evaluate(analyzer.pk)
    after = _findings(analyzer)
    assert after[("role/reader", "UnusedIAMRole", "")] == "RESOLVED"
    assert after[("user/alice", "UnusedIAMUserAccessKey", key_id)] == "RESOLVED"
    assert after[("role/reader", "UnusedPermission", "iam")] == "ACTIVE"


def test_list_get_and_update_findings(make_user, root_caller):
    make_user("alice", access_key=True)
    make_user("bob", access_key=True)
    analyzer = _unused(root_caller)
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    rows, token = findings.list_findings_v2(caller=root_caller, analyzer_arn=analyzer.arn, max_results=1,
                                            sort={"attributeName": "resource", "orderBy": "DESC"})
    assert rows[0].resource.endswith("user/bob") and token
    more, token = findings.list_findings_v2(caller=root_caller, analyzer_arn=analyzer.arn, next_token=token,
                                            sort={"attributeName": "resource", "orderBy": "DESC"})
    assert more[-1].resource.endswith("user/alice") and token is None
    with pytest.raises(ValidationException):
        findings.list_findings(caller=root_caller, analyzer_arn=analyzer.arn)  # V1 is for external access
    bob = rows[0]
    finding, details, _ = findings.get_finding_v2(caller=root_caller, analyzer_arn=analyzer.arn, id=str(bob.id))
    assert details[0]["unusedIamUserAccessKeyDetails"]["accessKeyId"]
    assert findings.update_findings(caller=root_caller, analyzer_arn=analyzer.arn, status="ARCHIVED",
                                    ids=[str(bob.id)]) == 1
    archived, _ = findings.list_findings_v2(caller=root_caller, analyzer_arn=analyzer.arn,
                                            filter={"status": {"eq": ["ARCHIVED"]}})
    assert [f.id for f in archived] == [bob.id]
    with pytest.raises(ResourceNotFoundException):
        findings.update_findings(caller=root_caller, analyzer_arn=analyzer.arn, status="ACTIVE",
                                 ids=["00000000-0000-0000-0000-000000000000"])
    stats = findings.get_findings_statistics(caller=root_caller, analyzer_arn=analyzer.arn)
    unused = stats["findingsStatistics"][0]["unusedAccessFindingsStatistics"]
    assert (unused["totalActiveFindings"], unused["totalArchivedFindings"]) == (1, 1)
    with pytest.raises(ResourceNotFoundException):
        findings.list_findings_v2(caller=root_caller,
                                  analyzer_arn="arn:aws:access-analyzer:us-east-1:111122223333:analyzer/unused")


def test_apply_archive_rule_archives_matching_active_findings(make_user, root_caller):
    make_user("alice", access_key=True)
    analyzer = _unused(root_caller)
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    archive_rules.create_archive_rule(caller=root_caller, analyzer_name="unused", rule_name="alice",
                                      filter={"resource": {"contains": ["user/alice"]}})
    assert archive_rules.apply_archive_rule(caller=root_caller, analyzer_arn=analyzer.arn, rule_name="alice") == 1
    assert set(_findings(analyzer).values()) == {"ARCHIVED"}


def test_exclusions_leave_principals_out(make_user, root_caller):
    make_user("alice", access_key=True)
    analyzer = _unused(root_caller, configuration={"unusedAccess": {"unusedAccessAge": 30, "analysisRule": {
        "exclusions": [{"accountIds": ["123456789012"]}]}}})
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    assert _findings(analyzer) == {}


def test_findings_resolve_when_the_access_is_removed(make_user, root_caller):
    from directory.services import access_keys, attachments

    alice = make_user("alice", access_key=True, policies=(READ_ONLY,))
    analyzer = _unused(root_caller)
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    key_id = alice.test_access_key[0]
    assert set(_findings(analyzer).values()) == {"ACTIVE"} and len(_findings(analyzer)) == 2
    access_keys.delete_access_key(caller=root_caller, user_name="alice", access_key_id=key_id)
    attachments.detach_user_policy(caller=root_caller, user_name="alice", policy_arn=READ_ONLY)
    evaluation.evaluate(analyzer.pk)
    assert _findings(analyzer) == {("user/alice", "UnusedIAMUserAccessKey", key_id): "RESOLVED",
                                   ("user/alice", "UnusedPermission", "iam"): "RESOLVED"}
    attachments.attach_user_policy(caller=root_caller, user_name="alice", policy_arn=READ_ONLY)
    evaluation.evaluate(analyzer.pk)  # granted again and still unused: the same finding, active again
    assert _findings(analyzer)[("user/alice", "UnusedPermission", "iam")] == "ACTIVE"
    assert Finding.objects.filter(analyzer=analyzer).count() == 2


def test_one_finding_per_key_is_held_by_the_database(make_user, root_caller):
    from django.db import IntegrityError, transaction

    make_user("alice", access_key=True)
    analyzer = _unused(root_caller)
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    existing = Finding.objects.get(analyzer=analyzer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(analyzer=analyzer, resource=existing.resource, resource_type=existing.resource_type,
                               resource_owner_account=existing.resource_owner_account,
                               finding_type=existing.finding_type, detail_key=existing.detail_key)


def test_an_organization_analyzer_covers_member_accounts_less_its_exclusions(make_user, make_account, root_caller):
    from directory.services.tags import tag_user

    create_organization(caller=root_caller)
    member = make_account("Team")
    bob = member.make_user("bob", access_key=True)
    make_user("alice", access_key=True)
    tag_user(caller=root_caller, user_name="alice", tags=[{"Key": "team", "Value": "ops"}])
    with pytest.raises(ValidationException):  # only the management account analyzes the organization
        analyzers.create_analyzer(caller=member.caller, analyzer_name="org", type="ORGANIZATION_UNUSED_ACCESS")
    analyzer = analyzers.create_analyzer(caller=root_caller, analyzer_name="org", type="ORGANIZATION_UNUSED_ACCESS")
    _age(days=100)
    evaluation.evaluate(analyzer.pk)
    owners = {(f.resource.rsplit(":", 1)[1], f.resource_owner_account)
              for f in Finding.objects.filter(analyzer=analyzer)}
    assert owners == {("user/alice", "123456789012"), ("user/bob", member.id),
                      ("role/OrganizationAccountAccessRole", member.id)}  # made with the account, never used
    assert bob.arn.startswith(f"arn:aws:iam::{member.id}:")

    analyzers.update_analyzer(caller=root_caller, analyzer_name="org", configuration={"unusedAccess": {
        "analysisRule": {"exclusions": [{"accountIds": [member.id]}, {"resourceTags": [{"team": "ops"}]}]}}})
    evaluation.evaluate(analyzer.pk)
    assert set(_findings(analyzer).values()) == {"RESOLVED"}


def test_create_analyzer_again_with_its_client_token_answers_the_same(root_caller):
    first = _unused(root_caller, client_token="token-1")
    assert _unused(root_caller, client_token="token-1").pk == first.pk  # an SDK's retry
    with pytest.raises(ConflictException):
        _unused(root_caller, client_token="token-2")
    with pytest.raises(ConflictException):
        _unused(root_caller)
    assert Analyzer.objects.count() == 1
