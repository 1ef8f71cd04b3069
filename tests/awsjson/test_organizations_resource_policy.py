"""The organization's resource policy through boto3 and the JSON door: put, describe, delete, its tags, and AWS's
refusals of what a resource policy may not say, each changing nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from accounts.models import OrganizationResourcePolicy, OrganizationTag
from tests.awsjson.conftest import JsonClient
from tests.awsjson.test_organizations import Org

pytestmark = pytest.mark.django_db


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: str, actions, resource="*") -> dict:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": resource}


@pytest.fixture
def org(organizations_api) -> Org:
    made = Org(organizations_api)
    made("CreateOrganization", FeatureSet="ALL")
    return made


def test_boto3_puts_describes_replaces_and_deletes_the_resource_policy(organizations, make_account):
    organizations.create_organization(FeatureSet="ALL")
    member = make_account("Security").account.pk
    reads = document(allow(f"arn:aws:iam::{member}:root", ["organizations:Describe*", "organizations:List*"]))
    with pytest.raises(ClientError) as missing:
        organizations.describe_resource_policy()
    assert missing.value.response["Error"]["Code"] == "ResourcePolicyNotFoundException"
    made = organizations.put_resource_policy(Content=reads, Tags=[{"Key": "team", "Value": "security"}])
    summary = made["ResourcePolicy"]["ResourcePolicySummary"]
    org_id = organizations.describe_organization()["Organization"]["Id"]
    assert summary["Id"].startswith("rp-") and summary["Arn"].endswith(f":resourcepolicy/{org_id}/{summary['Id']}")
    assert organizations.describe_resource_policy()["ResourcePolicy"]["Content"] == reads
    assert organizations.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == [
        {"Key": "team", "Value": "security"}]
    manage = document(allow(member, ["organizations:CreatePolicy", "organizations:AttachPolicy"]))
    replaced = organizations.put_resource_policy(Content=manage)["ResourcePolicy"]
    assert replaced["ResourcePolicySummary"]["Id"] == summary["Id"] and replaced["Content"] == manage
    organizations.delete_resource_policy()
    assert OrganizationResourcePolicy.objects.count() == 0 and OrganizationTag.objects.count() == 0
    with pytest.raises(ClientError) as again:
        organizations.delete_resource_policy()
    assert again.value.response["Error"]["Code"] == "ResourcePolicyNotFoundException"


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", "INVALID_RESOURCE_POLICY_JSON"),
    (document({"Effect": "Allow", "Action": "organizations:List*", "Resource": "*"}), "INVALID_PRINCIPAL"),
    (document(allow("not an arn", "organizations:List*")), "INVALID_PRINCIPAL"),
    (document(allow("111122223333", "organizations:*")), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (document(allow("111122223333", "organizations:CreateAccount")), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (document(allow("111122223333", "iam:ListUsers")), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (document(allow("111122223333", "organizations:*Policy")), "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"),
    (document(allow("111122223333", "organizations:ListAccounts", "arn:aws:s3:::bucket")),
     "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"),
])
def test_a_policy_that_is_no_valid_resource_policy_is_refused_and_not_stored(org, content, reason):
    assert org.reason("PutResourcePolicy", Content=content) == ("InvalidInputException", reason)
    assert OrganizationResourcePolicy.objects.count() == 0


def test_resources_of_the_organization_and_pattern_reads_are_accepted(org):
    management = org("DescribeOrganization")["Organization"]["MasterAccountId"]
    content = document(allow("111122223333", ["organizations:DescribeOrg*", "organizations:ListPoliciesFor?arget"],
                             f"arn:aws:organizations::{management}:account/*"))
    assert org("PutResourcePolicy", Content=content)["ResourcePolicy"]["Content"] == content


def test_tags_are_taken_only_when_the_policy_is_created(org):
    org("PutResourcePolicy", Content=document(allow("111122223333", "organizations:List*")))
    assert org.error("PutResourcePolicy", Content=document(allow("111122223333", "organizations:Describe*")),
                     Tags=[{"Key": "a", "Value": "b"}])[1] == "InvalidInputException"
    assert "List*" in OrganizationResourcePolicy.objects.get().content


def test_delegated_administrators_read_it_and_only_the_management_account_writes_it(org, make_account):
    org("PutResourcePolicy", Content=document(allow("111122223333", "organizations:List*")))
    security = make_account("Security")
    org("EnableAWSServiceAccess", ServicePrincipal="guardduty.amazonaws.com")
    org("RegisterDelegatedAdministrator", AccountId=security.id, ServicePrincipal="guardduty.amazonaws.com")
    admin = security.make_user("admin", access_key=True, policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    theirs = Org(JsonClient(*admin.test_access_key))
    assert theirs("DescribeResourcePolicy")["ResourcePolicy"]["ResourcePolicySummary"]["Id"].startswith("rp-")
    for operation, params in (("PutResourcePolicy", {"Content": document(allow("1", "organizations:List*"))}),
                              ("DeleteResourcePolicy", {})):
        assert theirs.error(operation, **params)[1] == "AccessDeniedException"
    assert OrganizationResourcePolicy.objects.count() == 1
