"""External access findings over boto3's accessanalyzer client: ListFindings, GetFinding and their V2 forms."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from analyzers import evaluation
from analyzers.models import Analyzer
from directory.services import roles
from organizations.services import members as org_members
from organizations.services import organization as org_services
from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def analyzer_client(live_server, root_credentials):  # type: ignore[no-untyped-def]
    return client_for(live_server, "accessanalyzer", root_credentials.access_key_id,
                      root_credentials.secret_access_key)


@pytest.fixture
def stranger(root_caller, make_account) -> str:  # type: ignore[no-untyped-def]
    """An account of the directory outside the organization."""
    org_services.create_organization(caller=root_caller)
    account_id = make_account("Partner").account.pk
    org_members.remove_account_from_organization(caller=root_caller, account_id=account_id)
    return account_id


def trust(principal: dict, action: object = "sts:AssumeRole", **extra: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": action, **extra}]})


def evaluated(analyzer_client, name: str) -> str:  # type: ignore[no-untyped-def]
    arn = analyzer_client.create_analyzer(analyzerName=name, type="ACCOUNT")["arn"]
    evaluation.evaluate(Analyzer.objects.get(name=name).pk)
    return arn


def test_list_and_get_an_external_access_finding(analyzer_client, root_caller, stranger) -> None:
    role = roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        {"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"],
        Condition={"StringEquals": {"sts:ExternalId": "partner-7"}}))
    roles.create_role(caller=root_caller, role_name="anyone", assume_role_policy_document=trust({"AWS": "*"}))
    arn = evaluated(analyzer_client, "account")
    listed = analyzer_client.list_findings(analyzerArn=arn, filter={"principal.AWS": {"eq": [stranger]}})
    (summary,) = listed["findings"]
    assert summary["resource"] == role.arn
    assert summary["resourceType"] == "AWS::IAM::Role"
    assert summary["resourceOwnerAccount"] == root_caller.account_id
    assert summary["principal"] == {"AWS": stranger}
    assert summary["action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert summary["condition"] == {"sts:ExternalId": "partner-7"}
    assert (summary["isPublic"], summary["status"]) == (False, "ACTIVE")
    assert summary["resourceControlPolicyRestriction"] == "NOT_APPLICABLE"
    finding = analyzer_client.get_finding(analyzerArn=arn, id=summary["id"])["finding"]
    assert {k: finding[k] for k in ("id", "resource", "principal", "action", "condition", "isPublic")} == {
        k: summary[k] for k in ("id", "resource", "principal", "action", "condition", "isPublic")}
    public = analyzer_client.list_findings(analyzerArn=arn, filter={"isPublic": {"eq": ["true"]}})["findings"]
    assert [(f["resource"].rsplit("/", 1)[-1], f["principal"]) for f in public] == [("anyone", {"AWS": "*"})]


def test_the_v2_forms_carry_external_access_details(analyzer_client, root_caller, stranger) -> None:
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust({"AWS": stranger}))
    arn = evaluated(analyzer_client, "account")
    (summary,) = analyzer_client.list_findings_v2(analyzerArn=arn)["findings"]
    assert summary["findingType"] == "ExternalAccess"
    detail = analyzer_client.get_finding_v2(analyzerArn=arn, id=summary["id"])
    assert detail["findingDetails"] == [{"externalAccessDetails": {
        "principal": {"AWS": stranger}, "action": ["sts:AssumeRole"], "condition": {}, "isPublic": False,
        "resourceControlPolicyRestriction": "NOT_APPLICABLE"}}]


def test_a_resolved_finding_is_listed_as_resolved(analyzer_client, root_caller, stranger) -> None:
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust({"AWS": stranger}))
    arn = evaluated(analyzer_client, "account")
    roles.update_assume_role_policy(caller=root_caller, role_name="partner",
                                    policy_document=trust({"AWS": root_caller.account_id}))
    evaluation.evaluate(Analyzer.objects.get(name="account").pk)
    statuses = [f["status"] for f in analyzer_client.list_findings(analyzerArn=arn)["findings"]]
    assert statuses == ["RESOLVED"]


def test_list_and_get_the_analyzed_resources(analyzer_client, root_caller, stranger) -> None:
    partner = roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        {"AWS": stranger}))
    web = roles.create_role(caller=root_caller, role_name="web", assume_role_policy_document=trust(
        {"Service": "ec2.amazonaws.com"}))
    arn = evaluated(analyzer_client, "account")
    listed = analyzer_client.list_analyzed_resources(analyzerArn=arn, resourceType="AWS::IAM::Role")
    resources = {r["resourceArn"]: r for r in listed["analyzedResources"]}
    assert resources[partner.arn] == {"resourceArn": partner.arn, "resourceOwnerAccount": root_caller.account_id,
                                      "resourceType": "AWS::IAM::Role"}
    assert web.arn in resources
    assert analyzer_client.list_analyzed_resources(analyzerArn=arn, resourceType="AWS::S3::Bucket")[
        "analyzedResources"] == []
    shared = analyzer_client.get_analyzed_resource(analyzerArn=arn, resourceArn=partner.arn)["resource"]
    assert (shared["isPublic"], shared["actions"], shared["status"]) == (False, ["sts:AssumeRole"], "ACTIVE")
    private = analyzer_client.get_analyzed_resource(analyzerArn=arn, resourceArn=web.arn)["resource"]
    assert (private["isPublic"], private.get("actions", []), "status" in private) == (False, [], False)
    with pytest.raises(ClientError) as refused:
        analyzer_client.get_analyzed_resource(analyzerArn=arn,
                                              resourceArn=f"arn:aws:iam::{root_caller.account_id}:role/missing")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_an_archived_finding_stays_archived_and_the_statistics_count_public_and_cross_account(
        analyzer_client, root_caller, stranger) -> None:
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust({"AWS": stranger}))
    roles.create_role(caller=root_caller, role_name="anyone", assume_role_policy_document=trust({"AWS": "*"}))
    arn = evaluated(analyzer_client, "account")
    statistics = analyzer_client.get_findings_statistics(analyzerArn=arn)["findingsStatistics"][0][
        "externalAccessFindingsStatistics"]
    assert statistics["totalActiveFindings"] == 2
    assert statistics["resourceTypeStatistics"]["AWS::IAM::Role"]["totalActivePublic"] == 1
    assert statistics["resourceTypeStatistics"]["AWS::IAM::Role"]["totalActiveCrossAccount"] == 1
    partner = analyzer_client.list_findings(analyzerArn=arn, filter={"principal.AWS": {"eq": [stranger]}})[
        "findings"][0]
    analyzer_client.update_findings(analyzerArn=arn, ids=[partner["id"]], status="ARCHIVED")
    roles.update_assume_role_policy(caller=root_caller, role_name="partner", policy_document=trust(
        {"AWS": stranger}, ["sts:AssumeRole", "sts:TagSession"]))
    evaluation.evaluate(Analyzer.objects.get(name="account").pk)
    again = analyzer_client.get_finding(analyzerArn=arn, id=partner["id"])["finding"]
    assert (again["status"], again["action"]) == ("ARCHIVED", ["sts:AssumeRole", "sts:TagSession"])
