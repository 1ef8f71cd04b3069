"""sso-admin with boto3 against a live server and a real Celery worker: a permission set assigned to a group in two
accounts, the statuses polled until the worker has provisioned the reserved roles."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from directory.models import Role
from tests.query.conftest import aws  # noqa: F401 - boto3 clients against a live server
from tests.reports.conftest import celery_queue, start_worker, wait_for  # noqa: F401 - the real worker fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_group_assigned_to_two_accounts_gets_a_role_in_each(aws, people, make_account, start_worker):  # noqa: F811
    start_worker()
    sso = aws("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    arn = instance["InstanceArn"]
    made = sso.create_permission_set(InstanceArn=arn, Name="ReadOnly", SessionDuration="PT4H")["PermissionSet"]
    ps = made["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps,
                                                ManagedPolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    group = people.group("Engineers", members=(people.user("ana"),))
    accounts = [make_account("Prod").account.pk, make_account("Dev").account.pk]
    for account_id in accounts:
        status = sso.create_account_assignment(InstanceArn=arn, TargetId=account_id, TargetType="AWS_ACCOUNT",
                                               PermissionSetArn=ps, PrincipalType="GROUP",
                                               PrincipalId=group)["AccountAssignmentCreationStatus"]
        request_id = status["RequestId"]
        wait_for(lambda: sso.describe_account_assignment_creation_status(  # noqa: B023 - polled at once
            InstanceArn=arn, AccountAssignmentCreationRequestId=request_id)[
                "AccountAssignmentCreationStatus"]["Status"] == "SUCCEEDED")
    assert sorted(sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=ps)[
        "AccountIds"]) == sorted(accounts)
    for account_id in accounts:
        role = Role.objects.get(account_id=account_id, path="/aws-reserved/sso.amazonaws.com/")
        assert role.role_name.startswith("AWSReservedSSO_ReadOnly_") and role.max_session_duration == 4 * 3600

    provisioned = sso.provision_permission_set(InstanceArn=arn, PermissionSetArn=ps,
                                               TargetType="ALL_PROVISIONED_ACCOUNTS")["PermissionSetProvisioningStatus"]
    assert provisioned["Status"] == "IN_PROGRESS"
    wait_for(lambda: sso.describe_permission_set_provisioning_status(
        InstanceArn=arn, ProvisionPermissionSetRequestId=provisioned["RequestId"])[
            "PermissionSetProvisioningStatus"]["Status"] == "SUCCEEDED")

    with pytest.raises(ClientError) as refused:
        sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps[:-16] + "0" * 16)
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as refused:
        sso.create_permission_set(InstanceArn=arn, Name="ReadOnly")
    assert refused.value.response["Error"]["Code"] == "ConflictException"


def test_the_instance_is_renamed_and_in_the_directorys_one_region(aws, settings):  # noqa: F811
    sso = aws("sso-admin")
    arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    sso.update_instance(InstanceArn=arn, Name="Corp-SSO")
    assert sso.describe_instance(InstanceArn=arn)["Name"] == "Corp-SSO"
    for bad in ({"Name": "two words"}, {"EncryptionConfiguration": {"KeyType": "AWS_OWNED_KMS_KEY"}}):
        with pytest.raises(ClientError) as refused:
            sso.update_instance(InstanceArn=arn, **bad)
        assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert sso.describe_instance(InstanceArn=arn)["Name"] == "Corp-SSO"

    regions = sso.list_regions(InstanceArn=arn)["Regions"]
    assert [(r["RegionName"], r["Status"], r["IsPrimaryRegion"]) for r in regions] == [
        (settings.IAM_DEFAULT_REGION, "ACTIVE", True)]
    described = sso.describe_region(InstanceArn=arn, RegionName=settings.IAM_DEFAULT_REGION)
    assert described["AddedDate"] == regions[0]["AddedDate"]
    with pytest.raises(ClientError) as refused:
        sso.describe_region(InstanceArn=arn, RegionName="ap-south-2")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
