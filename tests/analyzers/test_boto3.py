"""Access Analyzer through boto3's accessanalyzer client against the live server: analyzers and archive rules,
AWS's errors, and unused-access findings that appear, page, archive and resolve (timestamps moved back in the
database instead of waiting)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from django.utils import timezone

from analyzers import evaluation
from analyzers.models import Analyzer
from directory.models import AccessKey, User
from evidence.models import ActionUsage
from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
UNUSED_ARN = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused"


@pytest.fixture
def analyzer_api(transactional_db, live_server, root_credentials):
    def make(key: tuple[str, str] | None = None, *, validate: bool = True):
        key = key or (root_credentials.access_key_id, root_credentials.secret_access_key)
        return client_for(live_server, "accessanalyzer", *key, validate=validate)
    return make


def _error(call) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def _age_everything(days: int) -> None:
    long_ago = timezone.now() - timedelta(days=days)
    User.objects.filter(is_superuser=False).update(create_date=long_ago)
    AccessKey.objects.update(create_date=long_ago)


def test_analyzer_lifecycle_and_errors(analyzer_api):
    aa = analyzer_api()
    arn = aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS", tags={"team": "sec"},
                             configuration={"unusedAccess": {"unusedAccessAge": 30}})["arn"]
    assert arn == UNUSED_ARN
    analyzer = aa.get_analyzer(analyzerName="unused")["analyzer"]
    assert (analyzer["type"], analyzer["status"], analyzer["tags"]) == ("ACCOUNT_UNUSED_ACCESS", "ACTIVE",
                                                                        {"team": "sec"})
    assert analyzer["configuration"] == {"unusedAccess": {"unusedAccessAge": 30}}

    conflict = _error(lambda: aa.create_analyzer(analyzerName="unused", type="ACCOUNT"))
    assert conflict.response["Error"]["Code"] == "ConflictException"
    assert conflict.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    quota = _error(lambda: aa.create_analyzer(analyzerName="second", type="ACCOUNT_UNUSED_ACCESS"))
    assert quota.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert quota.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    age = _error(lambda: aa.create_analyzer(analyzerName="other", type="ACCOUNT_UNUSED_ACCESS",
                                            configuration={"unusedAccess": {"unusedAccessAge": 400}}))
    assert age.response["Error"]["Code"] == "ValidationException"
    assert "365" in age.response["Error"]["Message"]

    aa.create_analyzer(analyzerName="external", type="ACCOUNT")
    pages = aa.get_paginator("list_analyzers").paginate(PaginationConfig={"PageSize": 1})
    assert [a["name"] for page in pages for a in page["analyzers"]] == ["external", "unused"]
    assert aa.update_analyzer(analyzerName="unused", configuration={"unusedAccess": {"unusedAccessAge": 90}})[
        "configuration"] == {"unusedAccess": {"unusedAccessAge": 90}}
    aa.tag_resource(resourceArn=arn, tags={"env": "prod"})
    aa.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert aa.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}

    aa.delete_analyzer(analyzerName="unused")
    missing = _error(lambda: aa.get_analyzer(analyzerName="unused"))
    assert missing.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_archive_rules_and_their_filters(analyzer_api):
    aa = analyzer_api()
    aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS", archiveRules=[
        {"ruleName": "keys", "filter": {"findingType": {"eq": ["UnusedIAMUserAccessKey"]}}}])
    aa.create_archive_rule(analyzerName="unused", ruleName="roles",
                           filter={"resourceType": {"eq": ["AWS::IAM::Role"]}})
    rule = aa.get_archive_rule(analyzerName="unused", ruleName="roles")["archiveRule"]
    assert rule["filter"] == {"resourceType": {"eq": ["AWS::IAM::Role"]}}
    assert [r["ruleName"] for r in aa.list_archive_rules(analyzerName="unused")["archiveRules"]] == ["keys", "roles"]
    unknown = _error(lambda: aa.update_archive_rule(analyzerName="unused", ruleName="roles",
                                                    filter={"colour": {"eq": ["red"]}}))
    assert unknown.response["Error"]["Code"] == "ValidationException"
    assert "colour" in unknown.response["Error"]["Message"]
    assert aa.get_archive_rule(analyzerName="unused", ruleName="roles")["archiveRule"]["filter"] == rule["filter"]
    duplicate = _error(lambda: aa.create_archive_rule(analyzerName="unused", ruleName="roles",
                                                      filter={"status": {"eq": ["ACTIVE"]}}))
    assert duplicate.response["Error"]["Code"] == "ConflictException"
    aa.delete_archive_rule(analyzerName="unused", ruleName="roles")
    gone = _error(lambda: aa.get_archive_rule(analyzerName="unused", ruleName="roles"))
    assert gone.response["Error"]["Code"] == "ResourceNotFoundException"


def test_unused_access_findings_page_archive_and_resolve(analyzer_api, make_user):
    aa = analyzer_api()
    users = [make_user(f"user{n}", access_key=True, policies=(READ_ONLY,)) for n in range(3)]
    aa.create_analyzer(analyzerName="unused", type="ACCOUNT_UNUSED_ACCESS")
    analyzer = Analyzer.objects.get(name="unused")
    _age_everything(days=120)
    evaluation.evaluate(analyzer.pk)

    pages = aa.get_paginator("list_findings_v2").paginate(analyzerArn=UNUSED_ARN,
                                                          PaginationConfig={"PageSize": 2})
    listed = [finding for page in pages for finding in page["findings"]]
    assert sorted((f["resource"].rsplit("/", 1)[1], f["findingType"]) for f in listed) == sorted(
        [(f"user{n}", kind) for n in range(3) for kind in ("UnusedIAMUserAccessKey", "UnusedPermission")])
    assert {f["status"] for f in listed} == {"ACTIVE"}

    permission = next(f for f in listed if f["findingType"] == "UnusedPermission")
    got = aa.get_finding_v2(analyzerArn=UNUSED_ARN, id=permission["id"])
    detail = got["findingDetails"][0]["unusedPermissionDetails"]
    assert detail["serviceNamespace"] == "iam" and {"action": "GetUser"} in detail["actions"]

    key_findings = [f["id"] for f in listed
                    if f["findingType"] == "UnusedIAMUserAccessKey" and f["resource"].endswith("user2")]
    aa.update_findings(analyzerArn=UNUSED_ARN, status="ARCHIVED", ids=key_findings[:1])
    archived = aa.list_findings_v2(analyzerArn=UNUSED_ARN, filter={"status": {"eq": ["ARCHIVED"]}})["findings"]
    assert [f["id"] for f in archived] == key_findings[:1]

    # user0 uses its key and every iam action its policy grants: its findings resolve on the next evaluation.
    AccessKey.objects.filter(user=users[0]).update(last_used_date=timezone.now())
    granted = {a["action"] for a in detail["actions"]} if permission["resource"].endswith("user0") else None
    if granted is None:
        other = next(f for f in listed if f["findingType"] == "UnusedPermission" and f["resource"].endswith("user0"))
        granted = {a["action"] for a in aa.get_finding_v2(analyzerArn=UNUSED_ARN, id=other["id"])[
            "findingDetails"][0]["unusedPermissionDetails"]["actions"]}
    ActionUsage.objects.bulk_create([ActionUsage(
        account_id="123456789012", entity_type="user", entity_id=users[0].user_id, service="iam", action=action,
        allowed=True, count=1, last_at=timezone.now(), last_principal_arn=users[0].arn, last_source="query")
        for action in granted])
    evaluation.evaluate(analyzer.pk)
    resolved = aa.list_findings_v2(analyzerArn=UNUSED_ARN, filter={
        "status": {"eq": ["RESOLVED"]}, "resource": {"contains": ["user/user0"]}})["findings"]
    assert sorted(f["findingType"] for f in resolved) == ["UnusedIAMUserAccessKey", "UnusedPermission"]

    statistics = aa.get_findings_statistics(analyzerArn=UNUSED_ARN)["findingsStatistics"][0][
        "unusedAccessFindingsStatistics"]
    assert (statistics["totalActiveFindings"], statistics["totalArchivedFindings"],
            statistics["totalResolvedFindings"]) == (3, 1, 2)
    v1 = _error(lambda: aa.list_findings(analyzerArn=UNUSED_ARN))
    assert v1.response["Error"]["Code"] == "ValidationException"


def test_a_user_without_permission_is_refused(analyzer_api, make_user):
    nobody = make_user("nobody", access_key=True, policies=(READ_ONLY,))
    denied = _error(lambda: analyzer_api(nobody.test_access_key).list_analyzers())
    assert denied.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.response["ResponseMetadata"]["HTTPStatusCode"] == 403
