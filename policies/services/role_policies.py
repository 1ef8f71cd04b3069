"""Role policies: Attach/Detach/ListAttachedRolePolicies, Put/Get/Delete/ListRolePolicies, role boundaries."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from directory.services.roles import role_by_name
from iam_console.errors import LimitExceeded, NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.documents import checked_document
from policies.language import SIZE_LIMITS
from policies.models import ManagedPolicy, RoleInlinePolicy, RolePermissionsBoundary, RolePolicyAttachment
from policies.services.inline import _check_aggregate
from policies.services.managed import policy_by_arn, validate_policy_name


def _quota() -> int:
    return settings.IAM_MANAGED_POLICIES_PER_ENTITY


@iam_operation("AttachRolePolicy")
def attach_role_policy(*, caller: Caller, role_name: str, policy_arn: str) -> None:
    role = role_by_name(role_name, for_update=True)  # the lock keeps the quota exact under concurrency
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:AttachRolePolicy", role.arn, {"iam:PolicyARN": policy.arn})
    if RolePolicyAttachment.objects.filter(role=role, policy=policy).exists():
        return
    if RolePolicyAttachment.objects.filter(role=role).count() >= _quota():
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {_quota()}")
    RolePolicyAttachment.objects.create(role=role, policy=policy)


@iam_operation("DetachRolePolicy")
def detach_role_policy(*, caller: Caller, role_name: str, policy_arn: str) -> None:
    role = role_by_name(role_name, for_update=True)
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:DetachRolePolicy", role.arn, {"iam:PolicyARN": policy.arn})
    deleted, _ = RolePolicyAttachment.objects.filter(role=role, policy=policy).delete()
    if not deleted:
        raise NoSuchEntity(f"Policy {policy.arn} was not found.")


@iam_operation("ListAttachedRolePolicies")
def list_attached_role_policies(*, caller: Caller, role_name: str) -> list[ManagedPolicy]:
    role = role_by_name(role_name)
    authorize_caller(caller, "iam:ListAttachedRolePolicies", role.arn)
    return list(ManagedPolicy.objects.filter(role_attachments__role=role).order_by("policy_name_key"))


@iam_operation("PutRolePolicy")
def put_role_policy(*, caller: Caller, role_name: str, policy_name: str, policy_document: str) -> RoleInlinePolicy:
    validate_policy_name(policy_name)
    role = role_by_name(role_name, for_update=True)
    authorize_caller(caller, "iam:PutRolePolicy", role.arn)
    document = checked_document(policy_document, size_limit="role_inline")
    others = RoleInlinePolicy.objects.filter(role=role).exclude(policy_name_key=policy_name.lower())
    # IAM limits the aggregate of a role's inline policies (10,240 characters), not each one.
    _check_aggregate(list(others.values_list("document", flat=True)), document,
                     limit=SIZE_LIMITS["role_inline"], entity=f"role {role.role_name}")
    policy, _ = RoleInlinePolicy.objects.update_or_create(
        role=role, policy_name_key=policy_name.lower(),
        defaults={"policy_name": policy_name, "document": document, "update_date": timezone.now()})
    return policy


@iam_operation("GetRolePolicy")
def get_role_policy(*, caller: Caller, role_name: str, policy_name: str) -> RoleInlinePolicy:
    role = role_by_name(role_name)
    authorize_caller(caller, "iam:GetRolePolicy", role.arn)
    policy = RoleInlinePolicy.objects.filter(role=role, policy_name_key=str(policy_name).lower()).first()
    if policy is None:
        raise NoSuchEntity(f"The role policy with name {policy_name} cannot be found.")
    return policy


@iam_operation("DeleteRolePolicy")
def delete_role_policy(*, caller: Caller, role_name: str, policy_name: str) -> None:
    role = role_by_name(role_name, for_update=True)
    authorize_caller(caller, "iam:DeleteRolePolicy", role.arn)
    deleted, _ = RoleInlinePolicy.objects.filter(role=role, policy_name_key=str(policy_name).lower()).delete()
    if not deleted:
        raise NoSuchEntity(f"The role policy with name {policy_name} cannot be found.")


@iam_operation("ListRolePolicies")
def list_role_policies(*, caller: Caller, role_name: str) -> list[str]:
    role = role_by_name(role_name)
    authorize_caller(caller, "iam:ListRolePolicies", role.arn)
    return list(RoleInlinePolicy.objects.filter(role=role).values_list("policy_name", flat=True))


@iam_operation("PutRolePermissionsBoundary")
def put_role_permissions_boundary(*, caller: Caller, role_name: str, permissions_boundary: str) -> ManagedPolicy:
    role = role_by_name(role_name, for_update=True)
    policy = policy_by_arn(permissions_boundary)
    authorize_caller(caller, "iam:PutRolePermissionsBoundary", role.arn, {"iam:PermissionsBoundary": policy.arn})
    RolePermissionsBoundary.objects.update_or_create(role=role, defaults={"policy": policy})
    return policy


@iam_operation("DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(*, caller: Caller, role_name: str) -> None:
    role = role_by_name(role_name, for_update=True)
    authorize_caller(caller, "iam:DeleteRolePermissionsBoundary", role.arn)
    deleted, _ = RolePermissionsBoundary.objects.filter(role=role).delete()
    if not deleted:
        raise NoSuchEntity(f"The role {role.role_name} has no permissions boundary.")


def role_permissions_boundary(role) -> ManagedPolicy | None:
    """The role's boundary policy, for GetRole's PermissionsBoundary element."""
    found = RolePermissionsBoundary.objects.select_related("policy").filter(role=role).first()
    return found.policy if found else None
