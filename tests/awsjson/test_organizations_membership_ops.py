"""LeaveOrganization, DescribeEffectivePolicy and EnableAllFeatures through boto3 and the JSON door, answered as AWS
answers them for an organization with all features whose policies are SCPs and RCPs."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from accounts.models import Account, OrganizationTag, PolicyAttachment
from audit.models import AuditEvent
from tests.awsjson.conftest import JsonClient
from tests.awsjson.test_organizations import Org
from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db

ADMIN = ("arn:aws:iam::aws:policy/AdministratorAccess",)
DENY_LEAVING = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})


@pytest.fixture
def org(organizations_api) -> Org:
    made = Org(organizations_api)
    made("CreateOrganization", FeatureSet="ALL")
    return made


def _as_admin_of(member) -> Org:
    return Org(JsonClient(*member.make_user("admin", access_key=True, policies=ADMIN).test_access_key))


def test_a_member_account_leaves_with_boto3_and_its_tags_go(organizations, live_server, make_account):
    organizations.create_organization(FeatureSet="ALL")
    member = make_account("Team")
    organizations.tag_resource(ResourceId=member.id, Tags=[{"Key": "team", "Value": "a"}])
    key = member.make_user("admin", access_key=True, policies=ADMIN).test_access_key
    theirs = client_for(live_server, "organizations", *key)
    theirs.leave_organization()
    account = Account.objects.get(pk=member.id)
    assert account.organization_id is None and account.parent_unit_id is None
    assert not OrganizationTag.objects.filter(resource_id=member.id).exists()
    assert not PolicyAttachment.objects.filter(target_id=member.id).exists()
    assert AuditEvent.objects.filter(event_name="LeaveOrganization", event_source="organizations.amazonaws.com",
                                     account_id=member.id).exists()
    with pytest.raises(ClientError) as again:
        theirs.leave_organization()
    assert again.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_the_management_account_cannot_leave(org):
    assert org.error("LeaveOrganization")[1] == "MasterCannotLeaveOrganizationException"


def test_a_delegated_administrator_and_an_account_an_scp_holds_cannot_leave(org, make_account):
    security, held = make_account("Security"), make_account("Held")
    org("EnableAWSServiceAccess", ServicePrincipal="guardduty.amazonaws.com")
    org("RegisterDelegatedAdministrator", AccountId=security.id, ServicePrincipal="guardduty.amazonaws.com")
    assert _as_admin_of(security).reason("LeaveOrganization") == (
        "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    root_id = org("ListRoots")["Roots"][0]["Id"]
    org("EnablePolicyType", RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    policy = org("CreatePolicy", Name="StayHere", Description="", Type="SERVICE_CONTROL_POLICY",
                 Content=DENY_LEAVING)["Policy"]["PolicySummary"]["Id"]
    org("AttachPolicy", PolicyId=policy, TargetId=held.id)
    status, code, message = _as_admin_of(held).error("LeaveOrganization")
    assert code == "AccessDeniedException" and "service control policy" in message
    assert Account.objects.filter(pk__in=[security.id, held.id], organization__isnull=False).count() == 2


def test_effective_policies_are_not_found_for_the_types_this_organization_cannot_enable(org, make_account):
    member = make_account("Team")
    assert org.error("DescribeEffectivePolicy", PolicyType="TAG_POLICY")[1] == "EffectivePolicyNotFoundException"
    assert org.error("DescribeEffectivePolicy", PolicyType="BACKUP_POLICY", TargetId=member.id)[1] == \
        "EffectivePolicyNotFoundException"
    root_id = org("ListRoots")["Roots"][0]["Id"]
    assert org.reason("DescribeEffectivePolicy", PolicyType="TAG_POLICY", TargetId=root_id) == (
        "InvalidInputException", "TARGET_NOT_SUPPORTED")
    assert org.error("DescribeEffectivePolicy", PolicyType="TAG_POLICY", TargetId="999999999999")[1] == \
        "TargetNotFoundException"
    theirs = _as_admin_of(member)
    assert theirs.error("DescribeEffectivePolicy", PolicyType="TAG_POLICY")[1] == "EffectivePolicyNotFoundException"
    management = org("DescribeOrganization")["Organization"]["MasterAccountId"]
    assert theirs.error("DescribeEffectivePolicy", PolicyType="TAG_POLICY", TargetId=management)[1] == \
        "AccessDeniedException"


def test_an_scp_is_no_policy_type_an_effective_policy_is_asked_for(org):
    """The model's PolicyType names only management policy types: the door refuses an SCP before the service."""
    status, code, message = org.error("DescribeEffectivePolicy", PolicyType="SERVICE_CONTROL_POLICY")
    assert (status, code) == (400, "ValidationException") and "'policyType'" in message and "TAG_POLICY" in message


def test_enabling_all_features_again_is_refused_as_aws_refuses_it(organizations):
    organizations.create_organization(FeatureSet="ALL")
    with pytest.raises(ClientError) as raised:
        organizations.enable_all_features()
    assert raised.value.response["Error"]["Code"] == "HandshakeConstraintViolationException"
    assert raised.value.response["Reason"] == "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"
    assert organizations.describe_organization()["Organization"]["FeatureSet"] == "ALL"
