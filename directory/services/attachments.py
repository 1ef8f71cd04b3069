"""Attaching managed policies: Attach/Detach/ListAttached{User,Group}Policies and ListEntitiesForPolicy."""

from __future__ import annotations

from dataclasses import dataclass

from directory.models import Group, Role, User
from directory.services import entity_policies as entity
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.validation import validate_path_prefix
from policies.authorization import Caller, authorize_caller
from policies.models import ManagedPolicy
from policies.services.managed import policy_by_arn


@iam_operation("AttachUserPolicy")
def attach_user_policy(*, caller: Caller, user_name: str, policy_arn: str) -> None:
    entity.attach(entity.USER, caller=caller, name=user_name, policy_arn=policy_arn)


@iam_operation("DetachUserPolicy")
def detach_user_policy(*, caller: Caller, user_name: str, policy_arn: str) -> None:
    entity.detach(entity.USER, caller=caller, name=user_name, policy_arn=policy_arn)


@iam_operation("ListAttachedUserPolicies")
def list_attached_user_policies(*, caller: Caller, user_name: str) -> list[ManagedPolicy]:
    return entity.list_attached(entity.USER, caller=caller, name=user_name)


@iam_operation("AttachGroupPolicy")
def attach_group_policy(*, caller: Caller, group_name: str, policy_arn: str) -> None:
    entity.attach(entity.GROUP, caller=caller, name=group_name, policy_arn=policy_arn)


@iam_operation("DetachGroupPolicy")
def detach_group_policy(*, caller: Caller, group_name: str, policy_arn: str) -> None:
    entity.detach(entity.GROUP, caller=caller, name=group_name, policy_arn=policy_arn)


@iam_operation("ListAttachedGroupPolicies")
def list_attached_group_policies(*, caller: Caller, group_name: str) -> list[ManagedPolicy]:
    return entity.list_attached(entity.GROUP, caller=caller, name=group_name)


@dataclass(frozen=True)
class PolicyEntities:
    users: list[User]
    groups: list[Group]
    roles: list[Role]
    boundary_users: list[User]
    boundary_roles: list[Role]


ENTITY_FILTERS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
USAGE_FILTERS = ("PermissionsPolicy", "PermissionsBoundary")


@iam_operation("ListEntitiesForPolicy")
def list_entities_for_policy(*, caller: Caller, policy_arn: str, entity_filter: str | None = None,
                             path_prefix: str = "/", usage_filter: str | None = None) -> PolicyEntities:
    """Who uses the policy. As in AWS, with no usage filter both kinds of use are listed: permissions
    (users, groups, roles) and boundaries (users, roles); the Local/AWSManagedPolicy filters list no entity."""
    if entity_filter not in (None, *ENTITY_FILTERS):
        raise ValidationError(f"entity_filter must be one of {', '.join(ENTITY_FILTERS)}")
    if usage_filter not in (None, *USAGE_FILTERS):
        raise ValidationError(f"usage_filter must be one of {', '.join(USAGE_FILTERS)}")
    prefix = validate_path_prefix(path_prefix)
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, "iam:ListEntitiesForPolicy", policy.arn)

    def select(model, kind: str, usage: str, lookup: str, order: str) -> list:
        if entity_filter not in (None, kind) or usage_filter not in (None, usage):
            return []
        rows = model.objects.filter(**{lookup: policy}, account_id=caller.account_id, path__startswith=prefix)
        return list(rows.order_by(order).distinct())

    return PolicyEntities(
        users=select(User, "User", "PermissionsPolicy", "policy_attachments__policy", "user_name_key"),
        groups=select(Group, "Group", "PermissionsPolicy", "policy_attachments__policy", "group_name_key"),
        roles=select(Role, "Role", "PermissionsPolicy", "policy_attachments__policy", "role_name_key"),
        boundary_users=select(User, "User", "PermissionsBoundary", "permissions_boundary__policy", "user_name_key"),
        boundary_roles=select(Role, "Role", "PermissionsBoundary", "permissions_boundary__policy", "role_name_key"),
    )
