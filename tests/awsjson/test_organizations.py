"""The Organizations API with boto3 and through the JSON door: the organization, OUs, accounts, policies,
attachments and tags, and AWS's refusals, each changing nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from django.conf import settings

from accounts.models import Account, OrganizationalUnit, PolicyAttachment
from organizations.tasks import finish_account_closures
from tests.awsjson.conftest import JsonClient, json_error

pytestmark = pytest.mark.django_db

DENY_IAM = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]})


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return json.loads(response.content)


class Org:
    """The Organizations API as the management account's root user: `org("ListRoots")`."""

    def __init__(self, client: JsonClient) -> None:
        self.client = client

    def __call__(self, operation: str, **params):
        return ok(self.client.call(operation, params))

    def error(self, operation: str, **params) -> tuple[int, str, str]:
        return json_error(self.client.call(operation, params))

    def reason(self, operation: str, **params) -> tuple[str, str]:
        response = self.client.call(operation, params)
        body = json.loads(response.content)
        return body["__type"], body.get("Reason", "")


@pytest.fixture
def org(organizations_api) -> Org:
    return Org(organizations_api)


@pytest.fixture
def root_id(org) -> str:
    org("CreateOrganization", FeatureSet="ALL")
    return org("ListRoots")["Roots"][0]["Id"]


def test_an_organization_is_created_once_with_aws_ids_and_arns(org):
    made = org("CreateOrganization")["Organization"]
    assert made["Id"].startswith("o-") and len(made["Id"]) == 12
    assert made["Arn"] == f"arn:aws:organizations::{made['MasterAccountId']}:organization/{made['Id']}"
    assert made["FeatureSet"] == "ALL"
    assert org("DescribeOrganization")["Organization"]["Id"] == made["Id"]
    root = org("ListRoots")["Roots"][0]
    assert root["Id"].startswith("r-") and len(root["Id"]) == 6 and root["PolicyTypes"] == []
    assert org.error("CreateOrganization")[1] == "AlreadyInOrganizationException"


def test_ous_nest_five_levels_and_no_sixth(org, root_id):
    parent = root_id
    for level in range(1, 6):
        unit = org("CreateOrganizationalUnit", ParentId=parent, Name=f"level-{level}")["OrganizationalUnit"]
        assert unit["Id"].startswith(f"ou-{root_id[2:]}-") and len(unit["Id"]) == 16
        parent = unit["Id"]
    assert org.reason("CreateOrganizationalUnit", ParentId=parent, Name="sixth") == (
        "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")
    assert OrganizationalUnit.objects.count() == 5
    assert org("ListParents", ChildId=parent)["Parents"][0]["Type"] == "ORGANIZATIONAL_UNIT"


def test_ou_names_are_unique_under_a_parent_and_non_empty_ous_stay(org, root_id, make_account):
    unit = org("CreateOrganizationalUnit", ParentId=root_id, Name="Prod")["OrganizationalUnit"]
    assert org.error("CreateOrganizationalUnit", ParentId=root_id, Name="Prod")[1] == \
        "DuplicateOrganizationalUnitException"
    child = org("CreateOrganizationalUnit", ParentId=unit["Id"], Name="Prod")["OrganizationalUnit"]
    assert org.error("DeleteOrganizationalUnit", OrganizationalUnitId=unit["Id"])[1] == \
        "OrganizationalUnitNotEmptyException"
    org("DeleteOrganizationalUnit", OrganizationalUnitId=child["Id"])
    member = make_account("Team")
    org("MoveAccount", AccountId=member.account.pk, SourceParentId=root_id, DestinationParentId=unit["Id"])
    assert org.error("DeleteOrganizationalUnit", OrganizationalUnitId=unit["Id"])[1] == \
        "OrganizationalUnitNotEmptyException"
    assert org.error("DescribeOrganizationalUnit", OrganizationalUnitId="ou-abcd-abcdefgh")[1] == \
        "OrganizationalUnitNotFoundException"


def test_create_account_reports_its_status_and_makes_the_access_role(org, root_id):
    status = org("CreateAccount", Email="team@example.com", AccountName="Team",
                 Tags=[{"Key": "env", "Value": "prod"}])["CreateAccountStatus"]
    assert status["Id"].startswith("car-") and len(status["Id"]) == 36
    assert status["State"] == "SUCCEEDED" and len(status["AccountId"]) == 12
    again = org("DescribeCreateAccountStatus", CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert again["AccountId"] == status["AccountId"]
    account = org("DescribeAccount", AccountId=status["AccountId"])["Account"]
    assert account["Status"] == "ACTIVE" and account["JoinedMethod"] == "CREATED"
    assert isinstance(account["JoinedTimestamp"], float)
    assert org("ListTagsForResource", ResourceId=status["AccountId"])["Tags"] == [{"Key": "env", "Value": "prod"}]
    duplicate = org("CreateAccount", Email="TEAM@example.com", AccountName="Again")["CreateAccountStatus"]
    assert (duplicate["State"], duplicate["FailureReason"]) == ("FAILED", "EMAIL_ALREADY_EXISTS")
    listed = org("ListCreateAccountStatus", States=["FAILED"])["CreateAccountStatuses"]
    assert [item["Id"] for item in listed] == [duplicate["Id"]]
    from directory.models import Role

    role = Role.objects.get(account_id=status["AccountId"], role_name="OrganizationAccountAccessRole")
    assert Account.objects.get(pk=status["AccountId"]).organization_id is not None
    assert role.attachments.exists() if hasattr(role, "attachments") else True


def test_accounts_move_list_close_and_leave(org, root_id, make_account):
    member = make_account("Team").account.pk
    unit = org("CreateOrganizationalUnit", ParentId=root_id, Name="Dev")["OrganizationalUnit"]["Id"]
    org("MoveAccount", AccountId=member, SourceParentId=root_id, DestinationParentId=unit)
    assert org.error("MoveAccount", AccountId=member, SourceParentId=root_id, DestinationParentId=unit)[1] == \
        "AccountNotFoundException"
    assert org.error("MoveAccount", AccountId=member, SourceParentId="ou-zzzz-zzzzzzzz",
                     DestinationParentId=unit)[1] == "SourceParentNotFoundException"
    assert org.error("MoveAccount", AccountId=member, SourceParentId=unit,
                     DestinationParentId="ou-zzzz-zzzzzzzz")[1] == "DestinationParentNotFoundException"
    assert org.error("MoveAccount", AccountId=member, SourceParentId=unit, DestinationParentId=unit)[1] == \
        "DuplicateAccountException"
    assert [a["Id"] for a in org("ListAccountsForParent", ParentId=unit)["Accounts"]] == [member]
    assert org("ListChildren", ParentId=unit, ChildType="ACCOUNT")["Children"] == [{"Id": member, "Type": "ACCOUNT"}]
    assert org("ListParents", ChildId=member)["Parents"] == [{"Id": unit, "Type": "ORGANIZATIONAL_UNIT"}]
    assert len(org("ListAccounts")["Accounts"]) == 2
    management = org("DescribeOrganization")["Organization"]["MasterAccountId"]
    assert org.reason("CloseAccount", AccountId=management) == ("ConstraintViolationException",
                                                                 "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
    org("CloseAccount", AccountId=member)
    assert org("DescribeAccount", AccountId=member)["Account"]["Status"] == "PENDING_CLOSURE"
    assert org.error("CloseAccount", AccountId=member)[1] == "AccountAlreadyClosedException"
    # The scheduled job finishes the closure: the account is SUSPENDED, as AWS's are once closed.
    assert settings.CELERY_BEAT_SCHEDULE["finish-account-closures"]["task"] == finish_account_closures.name
    assert finish_account_closures.apply().get() == 1
    assert org("DescribeAccount", AccountId=member)["Account"]["Status"] == "SUSPENDED"
    other = make_account("Other").account.pk
    org("RemoveAccountFromOrganization", AccountId=other)
    assert org.error("DescribeAccount", AccountId=other)[1] == "AccountNotFoundException"
    assert org.reason("RemoveAccountFromOrganization", AccountId=management) == (
        "ConstraintViolationException", "ACCOUNT_CANNOT_LEAVE_ORGANIZATION")


def test_pages_follow_next_tokens(org, root_id, make_account):
    for index in range(3):
        make_account(f"Team {index}")
    first = org("ListAccounts", MaxResults=2)
    second = org("ListAccounts", MaxResults=2, NextToken=first["NextToken"])
    assert len(first["Accounts"]) == 2 and len(second["Accounts"]) == 2 and "NextToken" not in second
    assert org.reason("ListAccounts", NextToken="not-a-token") == ("InvalidInputException",
                                                                   "INVALID_PAGINATION_TOKEN")


def test_scps_attach_detach_and_every_node_keeps_one(org, root_id, make_account):
    member = make_account("Team").account.pk
    policy = org("CreatePolicy", Content=DENY_IAM, Description="no users", Name="NoUsers",
                 Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]
    assert policy["Id"].startswith("p-") and len(policy["Id"]) == 10 and not policy["AwsManaged"]
    assert ":policy/o-" in policy["Arn"] and "/service_control_policy/" in policy["Arn"]
    assert org.error("AttachPolicy", PolicyId=policy["Id"], TargetId=member)[1] == "PolicyTypeNotEnabledException"
    root = org("EnablePolicyType", RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")["Root"]
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    assert org.error("EnablePolicyType", RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")[1] == \
        "PolicyTypeAlreadyEnabledException"
    full = [p["Id"] for p in org("ListPoliciesForTarget", TargetId=member, Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert full == ["p-FullAWSAccess"]
    org("AttachPolicy", PolicyId=policy["Id"], TargetId=member)
    assert org.error("AttachPolicy", PolicyId=policy["Id"], TargetId=member)[1] == \
        "DuplicatePolicyAttachmentException"
    targets = org("ListTargetsForPolicy", PolicyId=policy["Id"])["Targets"]
    assert targets == [{"TargetId": member, "Arn": targets[0]["Arn"], "Name": "Team", "Type": "ACCOUNT"}]
    assert org.error("DeletePolicy", PolicyId=policy["Id"])[1] == "PolicyInUseException"
    org("DetachPolicy", PolicyId="p-FullAWSAccess", TargetId=member)
    assert org.reason("DetachPolicy", PolicyId=policy["Id"], TargetId=member) == (
        "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    assert org.reason("DetachPolicy", PolicyId="p-FullAWSAccess", TargetId=root_id) == (
        "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    assert org.error("DetachPolicy", PolicyId="p-FullAWSAccess", TargetId=member)[1] == "PolicyNotAttachedException"
    assert org.error("AttachPolicy", PolicyId="p-zzzzzzzz", TargetId=member)[1] == "PolicyNotFoundException"
    assert org.error("AttachPolicy", PolicyId=policy["Id"], TargetId="ou-zzzz-zzzzzzzz")[1] == \
        "TargetNotFoundException"
    org("DisablePolicyType", RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    assert not PolicyAttachment.objects.exists()
    org("DeletePolicy", PolicyId=policy["Id"])


def test_an_scp_breaking_its_grammar_is_malformed_and_not_stored(org, root_id):
    with_principal = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
    assert org.error("CreatePolicy", Content=with_principal, Description="", Name="Bad",
                     Type="SERVICE_CONTROL_POLICY")[1] == "MalformedPolicyDocumentException"
    assert org.error("CreatePolicy", Content="{", Description="", Name="Bad",
                     Type="SERVICE_CONTROL_POLICY")[1] == "MalformedPolicyDocumentException"
    assert org("ListPolicies", Filter="SERVICE_CONTROL_POLICY")["Policies"][0]["Id"] == "p-FullAWSAccess"
    assert len(org("ListPolicies", Filter="SERVICE_CONTROL_POLICY")["Policies"]) == 1


def test_tags_on_ous_and_policies(org, root_id):
    unit = org("CreateOrganizationalUnit", ParentId=root_id, Name="Tagged",
               Tags=[{"Key": "a", "Value": "1"}])["OrganizationalUnit"]["Id"]
    org("TagResource", ResourceId=unit, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert org("ListTagsForResource", ResourceId=unit)["Tags"] == [{"Key": "a", "Value": "3"},
                                                                    {"Key": "b", "Value": "2"}]
    org("UntagResource", ResourceId=unit, TagKeys=["a"])
    assert org("ListTagsForResource", ResourceId=unit)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert org.error("TagResource", ResourceId="ou-zzzz-zzzzzzzz", Tags=[])[1] == "TargetNotFoundException"


def test_members_may_describe_the_organization_but_not_manage_it(org, root_id, make_account):
    member = make_account("Team")
    admin = member.make_user("admin", access_key=True, policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    theirs = Org(JsonClient(*admin.test_access_key))
    assert theirs("DescribeOrganization")["Organization"]["MasterAccountId"] != member.account.pk
    assert theirs.error("ListAccounts")[:2] == (400, "AccessDeniedException")
    assert theirs.error("CreateOrganizationalUnit", ParentId=root_id, Name="x")[:2] == (400, "AccessDeniedException")


def test_the_organization_is_deleted_only_when_empty(org, root_id, make_account):
    member = make_account("Team").account.pk
    assert org.error("DeleteOrganization")[1] == "OrganizationNotEmptyException"
    org("RemoveAccountFromOrganization", AccountId=member)
    org("CreateOrganizationalUnit", ParentId=root_id, Name="Gone")
    org("DeleteOrganization")
    assert org.error("DescribeOrganization")[1] == "AWSOrganizationsNotInUseException"


def test_boto3_manages_the_organization(organizations):
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    unit = organizations.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    status = organizations.create_account(Email="w@example.com", AccountName="Workload")["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    organizations.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=unit["Id"])
    organizations.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    policy = organizations.create_policy(Content=DENY_IAM, Description="", Name="NoUsers",
                                         Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]
    organizations.attach_policy(PolicyId=policy["Id"], TargetId=unit["Id"])
    paginator = organizations.get_paginator("list_accounts")
    assert len([a for page in paginator.paginate() for a in page["Accounts"]]) == 2
    account = organizations.describe_account(AccountId=status["AccountId"])["Account"]
    assert account["JoinedTimestamp"].year >= 2024
    with pytest.raises(ClientError) as raised:
        organizations.detach_policy(PolicyId="p-FullAWSAccess", TargetId=root)
    assert raised.value.response["Error"]["Code"] == "ConstraintViolationException"
    assert raised.value.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
