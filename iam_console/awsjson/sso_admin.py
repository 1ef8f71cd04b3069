"""IAM Identity Center's admin API (sso-admin 2020-07-20) through the JSON door: each operation calls
identitycenter.services."""

from __future__ import annotations

from typing import Any

from iam_console.awsjson.registry import operation
from identitycenter import attributes_for_access
from identitycenter.models import Instance, OperationStatus, PermissionSet
from identitycenter.services import access_control_attributes, instances, operations, permission_sets, tags

SSO_ADMIN = "sso-admin"


def _paged(items: list, list_name: str, token: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {list_name: items}
    if token:
        answer["NextToken"] = token
    return answer


def _kwargs(params: dict, **names: str) -> dict[str, Any]:
    return {argument: params[name] for argument, name in names.items() if params.get(name) is not None}


def _page(params: dict) -> dict[str, Any]:
    return _kwargs(params, next_token="NextToken", max_results="MaxResults")


def _set(params: dict) -> dict[str, Any]:
    return {"instance_arn": params["InstanceArn"], "permission_set_arn": params["PermissionSetArn"]}


def instance_out(instance: Instance) -> dict[str, Any]:
    return {"InstanceArn": instance.arn, "IdentityStoreId": instance.store_id, "OwnerAccountId": instance.account_id,
            "Name": instance.name, "CreatedDate": instance.created_at, "Status": "ACTIVE"}


def permission_set_out(found: PermissionSet) -> dict[str, Any]:
    out = {"Name": found.name, "PermissionSetArn": found.arn, "CreatedDate": found.created_at,
           "SessionDuration": found.session_duration}
    if found.description:
        out["Description"] = found.description
    if found.relay_state:
        out["RelayState"] = found.relay_state
    return out


def provisioning_out(status: OperationStatus) -> dict[str, Any]:
    out = {"Status": status.status, "RequestId": str(status.request_id), "PermissionSetArn": status.permission_set_arn,
           "CreatedDate": status.created_at}
    if status.target_id:
        out["AccountId"] = status.target_id
    if status.failure_reason:
        out["FailureReason"] = status.failure_reason
    return out


def assignment_status_out(status: OperationStatus) -> dict[str, Any]:
    out = {"Status": status.status, "RequestId": str(status.request_id), "TargetId": status.target_id,
           "TargetType": "AWS_ACCOUNT", "PermissionSetArn": status.permission_set_arn,
           "PrincipalType": status.principal_type, "PrincipalId": status.principal_id,
           "CreatedDate": status.created_at}
    if status.failure_reason:
        out["FailureReason"] = status.failure_reason
    return out


def status_metadata_out(status: OperationStatus) -> dict[str, Any]:
    return {"Status": status.status, "RequestId": str(status.request_id), "CreatedDate": status.created_at}


# --- instances --------------------------------------------------------------------------------------------------
@operation(SSO_ADMIN, "ListInstances")
def list_instances(caller, params: dict) -> dict:
    return {"Instances": [instance_out(found) for found in instances.list_instances(caller=caller)]}


@operation(SSO_ADMIN, "DescribeInstance")
def describe_instance(caller, params: dict) -> dict:
    return instance_out(instances.describe_instance(caller=caller, instance_arn=params["InstanceArn"]))


@operation(SSO_ADMIN, "UpdateInstance")
def update_instance(caller, params: dict) -> dict:
    unsupported = tuple(name for name in ("EncryptionConfiguration", "NetworkConfiguration")
                        if params.get(name) is not None)
    instances.update_instance(caller=caller, instance_arn=params["InstanceArn"], name=params.get("Name"),
                              unsupported=unsupported)
    return {}


def region_out(region: instances.Region) -> dict[str, Any]:
    return {"RegionName": region.name, "Status": region.status, "AddedDate": region.added,
            "IsPrimaryRegion": region.primary}


@operation(SSO_ADMIN, "ListRegions")
def list_regions(caller, params: dict) -> dict:
    return {"Regions": [region_out(found) for found in instances.list_regions(caller=caller,
                                                                           instance_arn=params["InstanceArn"])]}


@operation(SSO_ADMIN, "DescribeRegion")
def describe_region(caller, params: dict) -> dict:
    return region_out(instances.describe_region(caller=caller, instance_arn=params["InstanceArn"],
                                                region_name=params["RegionName"]))


# --- attributes for access control -----------------------------------------------------------------------------
def _attributes(params: dict) -> dict[str, Any]:
    return {"instance_arn": params["InstanceArn"],
            "configuration": params["InstanceAccessControlAttributeConfiguration"]}


@operation(SSO_ADMIN, "CreateInstanceAccessControlAttributeConfiguration")
def create_access_control_attributes(caller, params: dict) -> dict:
    access_control_attributes.create_configuration(caller=caller, **_attributes(params))
    return {}


@operation(SSO_ADMIN, "DescribeInstanceAccessControlAttributeConfiguration")
def describe_access_control_attributes(caller, params: dict) -> dict:
    found = access_control_attributes.describe_configuration(caller=caller, instance_arn=params["InstanceArn"])
    out = {"Status": found.status,
           "InstanceAccessControlAttributeConfiguration": attributes_for_access.rendered(found.attributes)}
    if found.status_reason:
        out["StatusReason"] = found.status_reason
    return out


@operation(SSO_ADMIN, "UpdateInstanceAccessControlAttributeConfiguration")
def update_access_control_attributes(caller, params: dict) -> dict:
    access_control_attributes.update_configuration(caller=caller, **_attributes(params))
    return {}


@operation(SSO_ADMIN, "DeleteInstanceAccessControlAttributeConfiguration")
def delete_access_control_attributes(caller, params: dict) -> dict:
    access_control_attributes.delete_configuration(caller=caller, instance_arn=params["InstanceArn"])
    return {}


# --- permission sets --------------------------------------------------------------------------------------------
@operation(SSO_ADMIN, "CreatePermissionSet")
def create_permission_set(caller, params: dict) -> dict:
    made = permission_sets.create_permission_set(
        caller=caller, instance_arn=params["InstanceArn"], name=params["Name"], tags=params.get("Tags"),
        **_kwargs(params, description="Description", session_duration="SessionDuration", relay_state="RelayState"))
    return {"PermissionSet": permission_set_out(made)}


@operation(SSO_ADMIN, "DescribePermissionSet")
def describe_permission_set(caller, params: dict) -> dict:
    return {"PermissionSet": permission_set_out(permission_sets.describe_permission_set(caller=caller,
                                                                                        **_set(params)))}


@operation(SSO_ADMIN, "UpdatePermissionSet")
def update_permission_set(caller, params: dict) -> dict:
    permission_sets.update_permission_set(caller=caller, **_set(params), **_kwargs(
        params, description="Description", session_duration="SessionDuration", relay_state="RelayState"))
    return {}


@operation(SSO_ADMIN, "DeletePermissionSet")
def delete_permission_set(caller, params: dict) -> dict:
    permission_sets.delete_permission_set(caller=caller, **_set(params))
    return {}


@operation(SSO_ADMIN, "ListPermissionSets")
def list_permission_sets(caller, params: dict) -> dict:
    found, token = permission_sets.list_permission_sets(caller=caller, instance_arn=params["InstanceArn"],
                                                        **_page(params))
    return _paged([row.arn for row in found], "PermissionSets", token)


# --- policies of a permission set -------------------------------------------------------------------------------
@operation(SSO_ADMIN, "PutInlinePolicyToPermissionSet")
def put_inline_policy(caller, params: dict) -> dict:
    permission_sets.put_inline_policy(caller=caller, **_set(params), inline_policy=params["InlinePolicy"])
    return {}


@operation(SSO_ADMIN, "GetInlinePolicyForPermissionSet")
def get_inline_policy(caller, params: dict) -> dict:
    document = permission_sets.get_inline_policy(caller=caller, **_set(params))
    return {"InlinePolicy": document} if document else {}


@operation(SSO_ADMIN, "DeleteInlinePolicyFromPermissionSet")
def delete_inline_policy(caller, params: dict) -> dict:
    permission_sets.delete_inline_policy(caller=caller, **_set(params))
    return {}


@operation(SSO_ADMIN, "AttachManagedPolicyToPermissionSet")
def attach_managed_policy(caller, params: dict) -> dict:
    permission_sets.attach_managed_policy(caller=caller, **_set(params), managed_policy_arn=params["ManagedPolicyArn"])
    return {}


@operation(SSO_ADMIN, "DetachManagedPolicyFromPermissionSet")
def detach_managed_policy(caller, params: dict) -> dict:
    permission_sets.detach_managed_policy(caller=caller, **_set(params), managed_policy_arn=params["ManagedPolicyArn"])
    return {}


@operation(SSO_ADMIN, "ListManagedPoliciesInPermissionSet")
def list_managed_policies(caller, params: dict) -> dict:
    found, token = permission_sets.list_managed_policies(caller=caller, **_set(params), **_page(params))
    return _paged([{"Arn": row.policy_arn, "Name": row.policy_arn.rsplit("/", 1)[-1]} for row in found],
                  "AttachedManagedPolicies", token)


@operation(SSO_ADMIN, "AttachCustomerManagedPolicyReferenceToPermissionSet")
def attach_customer_policy(caller, params: dict) -> dict:
    permission_sets.attach_customer_policy(caller=caller, **_set(params),
                                           reference=params["CustomerManagedPolicyReference"])
    return {}


@operation(SSO_ADMIN, "DetachCustomerManagedPolicyReferenceFromPermissionSet")
def detach_customer_policy(caller, params: dict) -> dict:
    permission_sets.detach_customer_policy(caller=caller, **_set(params),
                                           reference=params["CustomerManagedPolicyReference"])
    return {}


@operation(SSO_ADMIN, "ListCustomerManagedPolicyReferencesInPermissionSet")
def list_customer_policies(caller, params: dict) -> dict:
    found, token = permission_sets.list_customer_policies(caller=caller, **_set(params), **_page(params))
    return _paged([{"Name": row.name, "Path": row.path} for row in found], "CustomerManagedPolicyReferences", token)


@operation(SSO_ADMIN, "PutPermissionsBoundaryToPermissionSet")
def put_boundary(caller, params: dict) -> dict:
    permission_sets.put_boundary(caller=caller, **_set(params), boundary=params["PermissionsBoundary"])
    return {}


@operation(SSO_ADMIN, "GetPermissionsBoundaryForPermissionSet")
def get_boundary(caller, params: dict) -> dict:
    return {"PermissionsBoundary": permission_sets.get_boundary(caller=caller, **_set(params))}


@operation(SSO_ADMIN, "DeletePermissionsBoundaryFromPermissionSet")
def delete_boundary(caller, params: dict) -> dict:
    permission_sets.delete_boundary(caller=caller, **_set(params))
    return {}


# --- provisioning -----------------------------------------------------------------------------------------------
@operation(SSO_ADMIN, "ProvisionPermissionSet")
def provision_permission_set(caller, params: dict) -> dict:
    started = operations.provision_permission_set(caller=caller, **_set(params), target_type=params["TargetType"],
                                                  **_kwargs(params, target_id="TargetId"))
    return {"PermissionSetProvisioningStatus": provisioning_out(started)}


@operation(SSO_ADMIN, "DescribePermissionSetProvisioningStatus")
def describe_provisioning_status(caller, params: dict) -> dict:
    found = operations.describe_provisioning_status(caller=caller, instance_arn=params["InstanceArn"],
                                                    request_id=params["ProvisionPermissionSetRequestId"])
    return {"PermissionSetProvisioningStatus": provisioning_out(found)}


def _status_filter(params: dict) -> dict[str, Any]:
    status = (params.get("Filter") or {}).get("Status")
    return {"status": status} if status else {}


@operation(SSO_ADMIN, "ListPermissionSetProvisioningStatus")
def list_provisioning_statuses(caller, params: dict) -> dict:
    found, token = operations.list_provisioning_statuses(caller=caller, instance_arn=params["InstanceArn"],
                                                         **_status_filter(params), **_page(params))
    return _paged([status_metadata_out(row) for row in found], "PermissionSetsProvisioningStatus", token)


@operation(SSO_ADMIN, "ListAccountsForProvisionedPermissionSet")
def list_accounts_for_provisioned(caller, params: dict) -> dict:
    found, token = operations.list_accounts_for_provisioned(
        caller=caller, **_set(params), **_kwargs(params, provisioning_status="ProvisioningStatus"), **_page(params))
    return _paged(found, "AccountIds", token)


@operation(SSO_ADMIN, "ListPermissionSetsProvisionedToAccount")
def list_permission_sets_provisioned_to_account(caller, params: dict) -> dict:
    found, token = operations.list_permission_sets_provisioned_to_account(
        caller=caller, instance_arn=params["InstanceArn"], account_id=params["AccountId"],
        **_kwargs(params, provisioning_status="ProvisioningStatus"), **_page(params))
    return _paged(found, "PermissionSets", token)


# --- account assignments ----------------------------------------------------------------------------------------
def _assignment(params: dict) -> dict[str, Any]:
    return {"instance_arn": params["InstanceArn"], "target_id": params["TargetId"],
            "target_type": params["TargetType"], "permission_set_arn": params["PermissionSetArn"],
            "principal_type": params["PrincipalType"], "principal_id": params["PrincipalId"]}


@operation(SSO_ADMIN, "CreateAccountAssignment")
def create_account_assignment(caller, params: dict) -> dict:
    started = operations.create_account_assignment(caller=caller, **_assignment(params))
    return {"AccountAssignmentCreationStatus": assignment_status_out(started)}


@operation(SSO_ADMIN, "DeleteAccountAssignment")
def delete_account_assignment(caller, params: dict) -> dict:
    started = operations.delete_account_assignment(caller=caller, **_assignment(params))
    return {"AccountAssignmentDeletionStatus": assignment_status_out(started)}


@operation(SSO_ADMIN, "DescribeAccountAssignmentCreationStatus")
def describe_creation_status(caller, params: dict) -> dict:
    found = operations.describe_creation_status(caller=caller, instance_arn=params["InstanceArn"],
                                                request_id=params["AccountAssignmentCreationRequestId"])
    return {"AccountAssignmentCreationStatus": assignment_status_out(found)}


@operation(SSO_ADMIN, "DescribeAccountAssignmentDeletionStatus")
def describe_deletion_status(caller, params: dict) -> dict:
    found = operations.describe_deletion_status(caller=caller, instance_arn=params["InstanceArn"],
                                                request_id=params["AccountAssignmentDeletionRequestId"])
    return {"AccountAssignmentDeletionStatus": assignment_status_out(found)}


@operation(SSO_ADMIN, "ListAccountAssignmentCreationStatus")
def list_creation_statuses(caller, params: dict) -> dict:
    found, token = operations.list_creation_statuses(caller=caller, instance_arn=params["InstanceArn"],
                                                     **_status_filter(params), **_page(params))
    return _paged([status_metadata_out(row) for row in found], "AccountAssignmentsCreationStatus", token)


@operation(SSO_ADMIN, "ListAccountAssignmentDeletionStatus")
def list_deletion_statuses(caller, params: dict) -> dict:
    found, token = operations.list_deletion_statuses(caller=caller, instance_arn=params["InstanceArn"],
                                                     **_status_filter(params), **_page(params))
    return _paged([status_metadata_out(row) for row in found], "AccountAssignmentsDeletionStatus", token)


@operation(SSO_ADMIN, "ListAccountAssignments")
def list_account_assignments(caller, params: dict) -> dict:
    found, token = operations.list_account_assignments(caller=caller, **_set(params), account_id=params["AccountId"],
                                                       **_page(params))
    return _paged([{"AccountId": row.account_id, "PermissionSetArn": params["PermissionSetArn"],
                    "PrincipalType": row.principal_type, "PrincipalId": row.principal_id} for row in found],
                  "AccountAssignments", token)


@operation(SSO_ADMIN, "ListAccountAssignmentsForPrincipal")
def list_assignments_for_principal(caller, params: dict) -> dict:
    found, token = operations.list_assignments_for_principal(
        caller=caller, instance_arn=params["InstanceArn"], principal_id=params["PrincipalId"],
        principal_type=params["PrincipalType"], **_kwargs(params.get("Filter") or {}, account_id="AccountId"),
        **_page(params))
    return _paged([{"AccountId": row.account_id, "PermissionSetArn": row.permission_set.arn,
                    "PrincipalType": row.principal_type, "PrincipalId": row.principal_id} for row in found],
                  "AccountAssignments", token)


# --- tags -------------------------------------------------------------------------------------------------------
@operation(SSO_ADMIN, "TagResource")
def tag_resource(caller, params: dict) -> dict:
    tags.tag_resource(caller=caller, resource_arn=params["ResourceArn"], tags=params["Tags"],
                      **_kwargs(params, instance_arn="InstanceArn"))
    return {}


@operation(SSO_ADMIN, "UntagResource")
def untag_resource(caller, params: dict) -> dict:
    tags.untag_resource(caller=caller, resource_arn=params["ResourceArn"], tag_keys=params["TagKeys"],
                        **_kwargs(params, instance_arn="InstanceArn"))
    return {}


@operation(SSO_ADMIN, "ListTagsForResource")
def list_tags_for_resource(caller, params: dict) -> dict:
    found, token = tags.list_tags_for_resource(caller=caller, resource_arn=params["ResourceArn"],
                                               **_kwargs(params, instance_arn="InstanceArn", next_token="NextToken"))
    return _paged([{"Key": row.key, "Value": row.value} for row in found], "Tags", token)
