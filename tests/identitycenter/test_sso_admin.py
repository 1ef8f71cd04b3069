"""sso-admin through the JSON door: the instance, permission sets and their policies, provisioning into accounts
as reserved roles, account assignments and their statuses, tags, and AWS's refusals."""

from __future__ import annotations

import json

import pytest

from accounts.models import Account
from directory.models import Role
from directory.services import roles
from iam_console.errors import InvalidInput, UnmodifiableEntity
from identitycenter.models import AccountAssignment, PermissionSet, ProvisionedRole
from identitycenter.services.provisioning import drift_report
from policies.services import managed
from tests.identitycenter.conftest import finish

pytestmark = pytest.mark.django_db

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
RESERVED = "/aws-reserved/sso.amazonaws.com/"
INLINE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})


@pytest.fixture
def permission_set(sso, instance_arn) -> str:
    made = sso("CreatePermissionSet", InstanceArn=instance_arn, Name="Admins", Description="Administrators",
               SessionDuration="PT8H", RelayState="https://console.example/iam",
               Tags=[{"Key": "team", "Value": "platform"}])
    return made["PermissionSet"]["PermissionSetArn"]


def test_one_instance_over_the_identity_store_in_the_management_account(sso, root_caller):
    instances = sso("ListInstances")["Instances"]
    assert len(instances) == 1
    instance = instances[0]
    assert instance["InstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")
    assert len(instance["InstanceArn"].rsplit("/", 1)[1]) == len("ssoins-") + 16
    assert instance["IdentityStoreId"].startswith("d-") and instance["OwnerAccountId"] == root_caller.account_id
    assert sso("DescribeInstance", InstanceArn=instance["InstanceArn"])["Status"] == "ACTIVE"
    assert sso.error("DescribeInstance", InstanceArn="arn:aws:sso:::instance/ssoins-0000000000000000")[1] == \
        "ResourceNotFoundException"


def test_a_permission_set_is_created_described_updated_listed_and_deleted(sso, instance_arn, permission_set):
    assert permission_set.startswith(f"arn:aws:sso:::permissionSet/{instance_arn.rsplit('/', 1)[1]}/ps-")
    described = sso("DescribePermissionSet", InstanceArn=instance_arn, PermissionSetArn=permission_set)
    assert described["PermissionSet"]["SessionDuration"] == "PT8H"
    assert described["PermissionSet"]["RelayState"] == "https://console.example/iam"
    sso("UpdatePermissionSet", InstanceArn=instance_arn, PermissionSetArn=permission_set, SessionDuration="PT2H")
    assert sso("DescribePermissionSet", InstanceArn=instance_arn,
               PermissionSetArn=permission_set)["PermissionSet"]["SessionDuration"] == "PT2H"
    assert sso("ListPermissionSets", InstanceArn=instance_arn)["PermissionSets"] == [permission_set]
    assert sso("ListTagsForResource", InstanceArn=instance_arn, ResourceArn=permission_set)["Tags"] == [
        {"Key": "team", "Value": "platform"}]
    assert sso.error("CreatePermissionSet", InstanceArn=instance_arn, Name="admins")[1] == "ConflictException"
    sso("DeletePermissionSet", InstanceArn=instance_arn, PermissionSetArn=permission_set)
    assert sso.error("DescribePermissionSet", InstanceArn=instance_arn, PermissionSetArn=permission_set)[1] == \
        "ResourceNotFoundException"


@pytest.mark.parametrize("duration", ["PT30M", "PT13H", "P1D", "1H", "PT"])
def test_session_durations_outside_one_to_twelve_hours_are_refused(sso, instance_arn, duration):
    assert sso.error("CreatePermissionSet", InstanceArn=instance_arn, Name="Short",
                     SessionDuration=duration)[1] == "ValidationException"
    assert not PermissionSet.objects.exists()


def test_policies_of_a_permission_set(sso, instance_arn, permission_set):
    both = {"InstanceArn": instance_arn, "PermissionSetArn": permission_set}
    sso("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn=ADMIN)
    assert sso.error("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn=ADMIN)[1] == "ConflictException"
    assert sso.error("AttachManagedPolicyToPermissionSet", **both,
                     ManagedPolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")[1] == "ResourceNotFoundException"
    assert sso("ListManagedPoliciesInPermissionSet", **both)["AttachedManagedPolicies"] == [
        {"Arn": ADMIN, "Name": "AdministratorAccess"}]
    sso("AttachCustomerManagedPolicyReferenceToPermissionSet", **both,
        CustomerManagedPolicyReference={"Name": "TeamPolicy", "Path": "/team/"})
    assert sso("ListCustomerManagedPolicyReferencesInPermissionSet", **both)["CustomerManagedPolicyReferences"] == [
        {"Name": "TeamPolicy", "Path": "/team/"}]
    sso("PutInlinePolicyToPermissionSet", **both, InlinePolicy=INLINE)
    assert json.loads(sso("GetInlinePolicyForPermissionSet", **both)["InlinePolicy"]) == json.loads(INLINE)
    assert sso.error("PutInlinePolicyToPermissionSet", **both, InlinePolicy='{"Statement": 1}')[1] == \
        "ValidationException"
    sso("PutPermissionsBoundaryToPermissionSet", **both, PermissionsBoundary={"ManagedPolicyArn": READ_ONLY})
    assert sso("GetPermissionsBoundaryForPermissionSet", **both)["PermissionsBoundary"] == {
        "ManagedPolicyArn": READ_ONLY}
    sso("DeletePermissionsBoundaryFromPermissionSet", **both)
    assert sso.error("GetPermissionsBoundaryForPermissionSet", **both)[1] == "ResourceNotFoundException"
    sso("DetachManagedPolicyFromPermissionSet", **both, ManagedPolicyArn=ADMIN)
    sso("DeleteInlinePolicyFromPermissionSet", **both)
    assert sso("GetInlinePolicyForPermissionSet", **both).get("InlinePolicy", "") == ""


def _assign(sso, instance_arn, permission_set, account_id, principal_type, principal_id, operation="Create"):
    answer = sso(f"{operation}AccountAssignment", InstanceArn=instance_arn, TargetId=account_id,
                 TargetType="AWS_ACCOUNT", PermissionSetArn=permission_set, PrincipalType=principal_type,
                 PrincipalId=principal_id)
    status = answer[f"AccountAssignment{operation.replace('Create', 'Creation').replace('Delete', 'Deletion')}Status"]
    assert status["Status"] == "IN_PROGRESS"
    return status


def test_an_assignment_provisions_a_reserved_role_in_the_account(sso, instance_arn, permission_set, people,
                                                                  make_account):
    team = make_account("Team")
    both = {"InstanceArn": instance_arn, "PermissionSetArn": permission_set}
    sso("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn=ADMIN)
    sso("PutInlinePolicyToPermissionSet", **both, InlinePolicy=INLINE)
    group = people.group("Engineers", members=(people.user("ana"),))
    status = _assign(sso, instance_arn, permission_set, team.account.pk, "GROUP", group)
    assert finish(status) == "SUCCEEDED"
    described = sso("DescribeAccountAssignmentCreationStatus", InstanceArn=instance_arn,
                    AccountAssignmentCreationRequestId=status["RequestId"])["AccountAssignmentCreationStatus"]
    assert described["Status"] == "SUCCEEDED" and described["PrincipalId"] == group
    role = Role.objects.get(account=team.account, path=RESERVED)
    assert role.path == "/aws-reserved/sso.amazonaws.com/"
    assert role.role_name.startswith("AWSReservedSSO_Admins_") and len(role.role_name.rsplit("_", 1)[1]) == 16
    assert role.max_session_duration == 8 * 3600
    assert json.loads(role.assume_role_policy_document)["Statement"][0]["Principal"]["Federated"].endswith(
        "_DO_NOT_DELETE")
    assert [p.policy.policy_name for p in role.policy_attachments.all()] == ["AdministratorAccess"]
    assert role.inline_policies.get().policy_name == "AwsSSOInlinePolicy"
    assert sso("ListAccountAssignments", **both, AccountId=team.account.pk)["AccountAssignments"] == [
        {"AccountId": team.account.pk, "PermissionSetArn": permission_set, "PrincipalType": "GROUP",
         "PrincipalId": group}]
    assert sso("ListAccountsForProvisionedPermissionSet", **both)["AccountIds"] == [team.account.pk]
    assert sso("ListPermissionSetsProvisionedToAccount", InstanceArn=instance_arn,
               AccountId=team.account.pk)["PermissionSets"] == [permission_set]
    assert sso("ListAccountAssignmentsForPrincipal", InstanceArn=instance_arn, PrincipalId=group,
               PrincipalType="GROUP")["AccountAssignments"][0]["AccountId"] == team.account.pk
    assert sso.error("DeletePermissionSet", **both)[1] == "ConflictException"

    deletion = _assign(sso, instance_arn, permission_set, team.account.pk, "GROUP", group, "Delete")
    assert finish(deletion) == "SUCCEEDED"
    assert not Role.objects.filter(account=team.account, path=RESERVED).exists()  # the set's last assignment took the role along
    assert not AccountAssignment.objects.exists()


def test_a_changed_set_reaches_its_accounts_through_provision_permission_set(sso, instance_arn, permission_set,
                                                                              people, make_account):
    team = make_account("Team")
    both = {"InstanceArn": instance_arn, "PermissionSetArn": permission_set}
    finish(_assign(sso, instance_arn, permission_set, team.account.pk, "USER", people.user("ana")))
    sso("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn=READ_ONLY)
    assert sso("ListAccountsForProvisionedPermissionSet", **both,
               ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED")["AccountIds"] == [team.account.pk]
    drift = drift_report(PermissionSet.objects.get())
    assert drift[0].revision_behind and drift[0].differences == ("managed policies",)
    started = sso("ProvisionPermissionSet", **both, TargetType="ALL_PROVISIONED_ACCOUNTS")
    status = started["PermissionSetProvisioningStatus"]
    assert status["Status"] == "IN_PROGRESS"
    assert finish(status) == "SUCCEEDED"
    assert sso("DescribePermissionSetProvisioningStatus", InstanceArn=instance_arn,
               ProvisionPermissionSetRequestId=status["RequestId"])["PermissionSetProvisioningStatus"][
        "Status"] == "SUCCEEDED"
    assert [p.policy.policy_name for p in Role.objects.get(account=team.account, path=RESERVED).policy_attachments.all()] == [
        "IAMReadOnlyAccess"]
    assert drift_report(PermissionSet.objects.get())[0].differences == ()
    assert sso("ListAccountsForProvisionedPermissionSet", **both,
               ProvisioningStatus="LATEST_PERMISSION_SET_PROVISIONED")["AccountIds"] == [team.account.pk]
    listed = sso("ListPermissionSetProvisioningStatus", InstanceArn=instance_arn,
                 Filter={"Status": "SUCCEEDED"})["PermissionSetsProvisioningStatus"]
    assert [row["RequestId"] for row in listed] == [status["RequestId"]]


def test_a_missing_customer_managed_policy_fails_the_assignment_with_aws_reason(sso, instance_arn, permission_set,
                                                                                people, make_account):
    team = make_account("Team")
    both = {"InstanceArn": instance_arn, "PermissionSetArn": permission_set}
    sso("AttachCustomerManagedPolicyReferenceToPermissionSet", **both,
        CustomerManagedPolicyReference={"Name": "TeamPolicy", "Path": "/team/"})
    status = _assign(sso, instance_arn, permission_set, team.account.pk, "USER", people.user("ana"))
    assert finish(status) == "FAILED"
    failed = sso("DescribeAccountAssignmentCreationStatus", InstanceArn=instance_arn,
                 AccountAssignmentCreationRequestId=status["RequestId"])["AccountAssignmentCreationStatus"]
    assert failed["FailureReason"] == (f"Received a 404 status error: Not supported policy "
                                       f"arn:aws:iam::{team.account.pk}:policy/team/TeamPolicy.")
    assert not Role.objects.filter(account=team.account, path=RESERVED).exists() and not AccountAssignment.objects.exists()

    # Once the account holds the policy, the same assignment provisions, the reference resolved in that account.
    managed.create_policy(caller=team.caller, policy_name="TeamPolicy", path="/team/", policy_document=INLINE)
    assert finish(_assign(sso, instance_arn, permission_set, team.account.pk, "USER",
                          people.user("bo"))) == "SUCCEEDED"
    role = Role.objects.get(account=team.account, path=RESERVED)
    assert role.policy_attachments.get().policy.account_id == team.account.pk


def test_an_assignment_to_a_closed_account_fails(sso, instance_arn, permission_set, people, make_account):
    team = make_account("Team")
    Account.objects.filter(pk=team.account.pk).update(status=Account.Status.CLOSED)
    status = _assign(sso, instance_arn, permission_set, team.account.pk, "USER", people.user("ana"))
    assert finish(status) == "FAILED"
    assert not ProvisionedRole.objects.exists()
    listed = sso("ListAccountAssignmentCreationStatus", InstanceArn=instance_arn,
                 Filter={"Status": "FAILED"})["AccountAssignmentsCreationStatus"]
    assert [row["RequestId"] for row in listed] == [status["RequestId"]]


def test_assignments_name_people_of_the_store_and_accounts_of_the_directory(sso, instance_arn, permission_set,
                                                                            people):
    missing = "0123456789-00000000-0000-0000-0000-000000000000"
    assert sso.error("CreateAccountAssignment", InstanceArn=instance_arn, TargetId="999999999999",
                     TargetType="AWS_ACCOUNT", PermissionSetArn=permission_set, PrincipalType="USER",
                     PrincipalId=people.user("ana"))[1] == "ValidationException"
    account_id = Account.objects.get(is_management=True).pk
    assert sso.error("CreateAccountAssignment", InstanceArn=instance_arn, TargetId=account_id,
                     TargetType="AWS_ACCOUNT", PermissionSetArn=permission_set, PrincipalType="USER",
                     PrincipalId=missing)[1] == "ResourceNotFoundException"


def test_reserved_roles_are_not_editable_by_the_accounts_administrators(sso, instance_arn, permission_set, people,
                                                                        make_account):
    team = make_account("Team")
    finish(_assign(sso, instance_arn, permission_set, team.account.pk, "USER", people.user("ana")))
    role = Role.objects.get(account=team.account, path=RESERVED)
    for write in (lambda: roles.delete_role(caller=team.caller, role_name=role.role_name),
                  lambda: roles.update_role(caller=team.caller, role_name=role.role_name, description="mine"),
                  lambda: roles.update_assume_role_policy(caller=team.caller, role_name=role.role_name,
                                                          policy_document=role.assume_role_policy_document)):
        with pytest.raises(UnmodifiableEntity, match="protected role"):
            write()
    with pytest.raises(InvalidInput):
        roles.create_role(caller=team.caller, role_name="Sneaky", path="/aws-reserved/sso.amazonaws.com/",
                          assume_role_policy_document=role.assume_role_policy_document)
    assert Role.objects.filter(account=team.account, path=RESERVED).count() == 1


def test_tags_of_a_permission_set(sso, instance_arn, permission_set):
    sso("TagResource", InstanceArn=instance_arn, ResourceArn=permission_set, Tags=[{"Key": "cost", "Value": "1"}])
    sso("UntagResource", InstanceArn=instance_arn, ResourceArn=permission_set, TagKeys=["team"])
    assert sso("ListTagsForResource", InstanceArn=instance_arn, ResourceArn=permission_set)["Tags"] == [
        {"Key": "cost", "Value": "1"}]
    assert sso.error("TagResource", InstanceArn=instance_arn, ResourceArn=permission_set,
                     Tags=[{"Key": "aws:x", "Value": "1"}])[1] == "ValidationException"


def test_the_drift_command_reports_a_role_behind_its_set(sso, instance_arn, permission_set, people, make_account):
    from io import StringIO

    from django.core.management import call_command

    team = make_account("Team")
    finish(_assign(sso, instance_arn, permission_set, team.account.pk, "USER", people.user("ana")))
    out = StringIO()
    call_command("sso_drift", stdout=out)
    assert json.loads(out.getvalue())["differences"] == []
    sso("PutInlinePolicyToPermissionSet", InstanceArn=instance_arn, PermissionSetArn=permission_set,
        InlinePolicy=INLINE)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("sso_drift", "--name", "admins", stdout=out)
    row = json.loads(out.getvalue())
    assert row["accountId"] == team.account.pk and row["latestProvisioned"] is False
    assert row["differences"] == ["inline policy"]
