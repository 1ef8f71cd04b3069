"""Attaching managed policies: Attach/Detach/ListAttached{User,Group}Policies and ListEntitiesForPolicy."""

from __future__ import annotations

from dataclasses import dataclass

from directory.models import Group, Role, User
from directory.services import entity_policies as entity
from iam_console.operations import iam_operation
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


@iam_operation("ListEntitiesForPolicy")
def list_entities_for_policy(*, caller: Caller, policy_arn: str) -> PolicyEntities:
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:ListEntitiesForPolicy", policy.arn)
    return PolicyEntities(
        users=list(User.objects.filter(policy_attachments__policy=policy).order_by("user_name_key")),
        groups=list(Group.objects.filter(policy_attachments__policy=policy).order_by("group_name_key")),
        roles=list(Role.objects.filter(policy_attachments__policy=policy).order_by("role_name_key")),
        boundary_users=list(User.objects.filter(permissions_boundary__policy=policy).order_by("user_name_key")),
        boundary_roles=list(Role.objects.filter(permissions_boundary__policy=policy).order_by("role_name_key")),
    )
