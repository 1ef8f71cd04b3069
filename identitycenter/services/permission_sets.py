"""Permission sets: Create/Describe/Update/Delete/ListPermissionSets, their inline policy, AWS managed policies,
customer managed policy references and permissions boundary. Every change of what the role must hold bumps the
set's revision: its provisioned roles are then not of the latest until ProvisionPermissionSet runs."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from iam_console.callers import Caller
from iam_console.errors import IAMError
from iam_console.operations import iam_operation
from identitycenter import identifiers
from identitycenter.access import EVENT_SOURCE, instance_for, page, permission_set_for
from identitycenter.errors import (
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from identitycenter.models import (
    CustomerPolicyReference,
    ManagedPolicyAttachment,
    PermissionSet,
    PermissionSetTag,
)
from identitycenter.services.tags import tag_map
from policies.documents import IDENTITY_POLICY, checked_document
from policies.models import ManagedPolicy
from policies.services.managed import check_policy_arn

# AWS's quotas: 2,000 permission sets an instance, 20 managed policies (AWS and customer managed together) a set.
PERMISSION_SETS_PER_INSTANCE = 2000
MANAGED_POLICIES_PER_SET = 20
INLINE_POLICY_MAX = 32768  # characters, as the model's PermissionSetPolicyDocument allows


def _changed(permission_set: PermissionSet) -> None:
    PermissionSet.objects.filter(pk=permission_set.pk).update(revision=F("revision") + 1)


@iam_operation("CreatePermissionSet", event_source=EVENT_SOURCE)
def create_permission_set(*, caller: Caller, instance_arn: str, name: str, description: str | None = None,
                          session_duration: str | None = None, relay_state: str | None = None,
                          tags: list[dict] | None = None) -> PermissionSet:
    instance = instance_for(caller, instance_arn, "CreatePermissionSet")
    tags_given = tag_map(tags or [])
    identifiers.session_seconds(session_duration or "PT1H")
    if PermissionSet.objects.filter(instance=instance).count() >= PERMISSION_SETS_PER_INSTANCE:
        raise ServiceQuotaExceededException("The number of permission sets has reached its limit.")
    try:
        with transaction.atomic():
            made = PermissionSet.objects.create(instance=instance, ps_id=identifiers.new_permission_set_id(),
                                                name=name, description=description or "",
                                                session_duration=session_duration or "PT1H",
                                                relay_state=relay_state or "")
    except IntegrityError:
        raise ConflictException(f"PermissionSet with name {name} already exists.") from None
    PermissionSetTag.objects.bulk_create([PermissionSetTag(permission_set=made, key=key, value=value)
                                          for key, value in tags_given.items()])
    made.refresh_from_db()
    return made


@iam_operation("DescribePermissionSet", event_source=EVENT_SOURCE)
def describe_permission_set(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> PermissionSet:
    return permission_set_for(caller, instance_arn, permission_set_arn, "DescribePermissionSet")


@iam_operation("UpdatePermissionSet", event_source=EVENT_SOURCE)
def update_permission_set(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                          description: str | None = None, session_duration: str | None = None,
                          relay_state: str | None = None) -> PermissionSet:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "UpdatePermissionSet", lock=True)
    if description is not None:
        found.description = description
    if relay_state is not None:
        found.relay_state = relay_state
    if session_duration is not None:
        identifiers.session_seconds(session_duration)
        found.session_duration = session_duration
    found.save(update_fields=["description", "relay_state", "session_duration"])
    _changed(found)
    return found


@iam_operation("DeletePermissionSet", event_source=EVENT_SOURCE)
def delete_permission_set(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "DeletePermissionSet", lock=True)
    if found.assignments.exists():
        raise ConflictException("The permission set is assigned to accounts: delete its account assignments "
                                "first.")
    from identitycenter.services.provisioning import remove_roles

    remove_roles(found, account_ids=None)
    found.delete()


@iam_operation("ListPermissionSets", event_source=EVENT_SOURCE)
def list_permission_sets(*, caller: Caller, instance_arn: str, next_token: str | None = None,
                         max_results: int | None = None) -> tuple[list[PermissionSet], str | None]:
    instance = instance_for(caller, instance_arn, "ListPermissionSets")
    return page(PermissionSet.objects.filter(instance=instance), key="ps_id", next_token=next_token,
                max_results=max_results)


# --- the inline policy ------------------------------------------------------------------------------------------
@iam_operation("PutInlinePolicyToPermissionSet", event_source=EVENT_SOURCE)
def put_inline_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str, inline_policy: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "PutInlinePolicyToPermissionSet", lock=True)
    try:
        document = checked_document(inline_policy, size_limit=INLINE_POLICY_MAX, policy_type=IDENTITY_POLICY)
    except IAMError as error:
        raise ValidationException(f"The policy document is not valid: {error.message}") from None
    PermissionSet.objects.filter(pk=found.pk).update(inline_policy=document, revision=F("revision") + 1)


@iam_operation("GetInlinePolicyForPermissionSet", event_source=EVENT_SOURCE)
def get_inline_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> str:
    return permission_set_for(caller, instance_arn, permission_set_arn, "GetInlinePolicyForPermissionSet").inline_policy


@iam_operation("DeleteInlinePolicyFromPermissionSet", event_source=EVENT_SOURCE)
def delete_inline_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "DeleteInlinePolicyFromPermissionSet",
                               lock=True)
    if found.inline_policy:
        PermissionSet.objects.filter(pk=found.pk).update(inline_policy="", revision=F("revision") + 1)


# --- AWS managed policies ---------------------------------------------------------------------------------------
def aws_managed_policy(policy_arn: str) -> ManagedPolicy:
    """The AWS managed policy an ARN names (this directory's shipped policies)."""
    try:
        match = check_policy_arn(policy_arn)
    except IAMError:
        raise ValidationException(f"{policy_arn} is not a valid AWS managed policy ARN.") from None
    policy = ManagedPolicy.objects.filter(is_system=True, account=None, path=match["path"],
                                          policy_name_key=match["name"].lower()).first()
    if match["account"] != "aws" or policy is None:
        raise ResourceNotFoundException(f"Policy {policy_arn} does not exist.")
    return policy


def _policy_count(found: PermissionSet) -> int:
    return found.managed_policies.count() + found.customer_policies.count()


@iam_operation("AttachManagedPolicyToPermissionSet", event_source=EVENT_SOURCE)
def attach_managed_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                          managed_policy_arn: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "AttachManagedPolicyToPermissionSet",
                               lock=True)
    aws_managed_policy(managed_policy_arn)
    if found.managed_policies.filter(policy_arn=managed_policy_arn).exists():
        raise ConflictException(f"Policy {managed_policy_arn} is already attached to the permission set.")
    if _policy_count(found) >= MANAGED_POLICIES_PER_SET:
        raise ServiceQuotaExceededException("The permission set already has the most managed policies it may.")
    ManagedPolicyAttachment.objects.create(permission_set=found, policy_arn=managed_policy_arn)
    _changed(found)


@iam_operation("DetachManagedPolicyFromPermissionSet", event_source=EVENT_SOURCE)
def detach_managed_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                          managed_policy_arn: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "DetachManagedPolicyFromPermissionSet",
                               lock=True)
    deleted, _ = found.managed_policies.filter(policy_arn=managed_policy_arn).delete()
    if not deleted:
        raise ResourceNotFoundException(f"Policy {managed_policy_arn} is not attached to the permission set.")
    _changed(found)


@iam_operation("ListManagedPoliciesInPermissionSet", event_source=EVENT_SOURCE)
def list_managed_policies(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                          next_token: str | None = None, max_results: int | None = None
                          ) -> tuple[list[ManagedPolicyAttachment], str | None]:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "ListManagedPoliciesInPermissionSet")
    return page(found.managed_policies.all(), key="id", next_token=next_token, max_results=max_results)


# --- customer managed policy references -------------------------------------------------------------------------
@iam_operation("AttachCustomerManagedPolicyReferenceToPermissionSet", event_source=EVENT_SOURCE)
def attach_customer_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                           reference: dict) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn,
                               "AttachCustomerManagedPolicyReferenceToPermissionSet", lock=True)
    name, path = reference["Name"], reference.get("Path") or "/"
    if found.customer_policies.filter(name=name, path=path).exists():
        raise ConflictException(f"Customer managed policy {path}{name} is already attached to the permission set.")
    if _policy_count(found) >= MANAGED_POLICIES_PER_SET:
        raise ServiceQuotaExceededException("The permission set already has the most managed policies it may.")
    CustomerPolicyReference.objects.create(permission_set=found, name=name, path=path)
    _changed(found)


@iam_operation("DetachCustomerManagedPolicyReferenceFromPermissionSet", event_source=EVENT_SOURCE)
def detach_customer_policy(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                           reference: dict) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn,
                               "DetachCustomerManagedPolicyReferenceFromPermissionSet", lock=True)
    name, path = reference["Name"], reference.get("Path") or "/"
    deleted, _ = found.customer_policies.filter(name=name, path=path).delete()
    if not deleted:
        raise ResourceNotFoundException(f"Customer managed policy {path}{name} is not attached to the permission "
                                        "set.")
    _changed(found)


@iam_operation("ListCustomerManagedPolicyReferencesInPermissionSet", event_source=EVENT_SOURCE)
def list_customer_policies(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                           next_token: str | None = None, max_results: int | None = None
                           ) -> tuple[list[CustomerPolicyReference], str | None]:
    found = permission_set_for(caller, instance_arn, permission_set_arn,
                               "ListCustomerManagedPolicyReferencesInPermissionSet")
    return page(found.customer_policies.all(), key="id", next_token=next_token, max_results=max_results)


# --- the permissions boundary -----------------------------------------------------------------------------------
@iam_operation("PutPermissionsBoundaryToPermissionSet", event_source=EVENT_SOURCE)
def put_boundary(*, caller: Caller, instance_arn: str, permission_set_arn: str, boundary: dict) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "PutPermissionsBoundaryToPermissionSet",
                               lock=True)
    managed, reference = boundary.get("ManagedPolicyArn"), boundary.get("CustomerManagedPolicyReference")
    if bool(managed) == bool(reference):
        raise ValidationException("A permissions boundary names either a ManagedPolicyArn or a "
                                  "CustomerManagedPolicyReference, and only one.")
    if managed:
        aws_managed_policy(managed)
        values = {"boundary_managed_arn": managed, "boundary_name": "", "boundary_path": ""}
    else:
        values = {"boundary_managed_arn": "", "boundary_name": reference["Name"],
                  "boundary_path": reference.get("Path") or "/"}
    PermissionSet.objects.filter(pk=found.pk).update(**values, revision=F("revision") + 1)


@iam_operation("GetPermissionsBoundaryForPermissionSet", event_source=EVENT_SOURCE)
def get_boundary(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> dict:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "GetPermissionsBoundaryForPermissionSet")
    if found.boundary_managed_arn:
        return {"ManagedPolicyArn": found.boundary_managed_arn}
    if found.boundary_name:
        return {"CustomerManagedPolicyReference": {"Name": found.boundary_name, "Path": found.boundary_path}}
    raise ResourceNotFoundException("The permission set has no permissions boundary.")


@iam_operation("DeletePermissionsBoundaryFromPermissionSet", event_source=EVENT_SOURCE)
def delete_boundary(*, caller: Caller, instance_arn: str, permission_set_arn: str) -> None:
    found = permission_set_for(caller, instance_arn, permission_set_arn,
                               "DeletePermissionsBoundaryFromPermissionSet", lock=True)
    if not (found.boundary_managed_arn or found.boundary_name):
        raise ResourceNotFoundException("The permission set has no permissions boundary.")
    PermissionSet.objects.filter(pk=found.pk).update(boundary_managed_arn="", boundary_name="", boundary_path="",
                                                     revision=F("revision") + 1)
