"""Role policies: Attach/Detach/ListAttachedRolePolicies, Put/Get/Delete/ListRolePolicies, role boundaries."""

from __future__ import annotations

from directory.models import RoleInlinePolicy, RolePermissionsBoundary
from directory.services import entity_policies as entity
from iam_console.operations import iam_operation
from policies.authorization import Caller
from policies.models import ManagedPolicy


@iam_operation("AttachRolePolicy")
def attach_role_policy(*, caller: Caller, role_name: str, policy_arn: str) -> None:
    entity.attach(entity.ROLE, caller=caller, name=role_name, policy_arn=policy_arn)


@iam_operation("DetachRolePolicy")
def detach_role_policy(*, caller: Caller, role_name: str, policy_arn: str) -> None:
    entity.detach(entity.ROLE, caller=caller, name=role_name, policy_arn=policy_arn)


@iam_operation("ListAttachedRolePolicies")
def list_attached_role_policies(*, caller: Caller, role_name: str) -> list[ManagedPolicy]:
    return entity.list_attached(entity.ROLE, caller=caller, name=role_name)


@iam_operation("PutRolePolicy")
def put_role_policy(*, caller: Caller, role_name: str, policy_name: str, policy_document: str) -> RoleInlinePolicy:
    return entity.put_inline(entity.ROLE, caller=caller, name=role_name, policy_name=policy_name,
                             policy_document=policy_document)


@iam_operation("GetRolePolicy")
def get_role_policy(*, caller: Caller, role_name: str, policy_name: str) -> RoleInlinePolicy:
    return entity.get_inline(entity.ROLE, caller=caller, name=role_name, policy_name=policy_name)


@iam_operation("DeleteRolePolicy")
def delete_role_policy(*, caller: Caller, role_name: str, policy_name: str) -> None:
    entity.delete_inline(entity.ROLE, caller=caller, name=role_name, policy_name=policy_name)


@iam_operation("ListRolePolicies")
def list_role_policies(*, caller: Caller, role_name: str) -> list[str]:
    return entity.list_inline(entity.ROLE, caller=caller, name=role_name)


@iam_operation("PutRolePermissionsBoundary")
def put_role_permissions_boundary(*, caller: Caller, role_name: str, permissions_boundary: str) -> ManagedPolicy:
    return entity.put_boundary(entity.ROLE, caller=caller, name=role_name, permissions_boundary=permissions_boundary)


@iam_operation("DeleteRolePermissionsBoundary")
def delete_role_permissions_boundary(*, caller: Caller, role_name: str) -> None:
    entity.delete_boundary(entity.ROLE, caller=caller, name=role_name)


def role_permissions_boundary(role) -> ManagedPolicy | None:
    """The role's boundary policy, for GetRole's PermissionsBoundary element."""
    found = RolePermissionsBoundary.objects.select_related("policy").filter(role=role).first()
    return found.policy if found else None
