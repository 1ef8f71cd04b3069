"""Attaching managed policies: Attach/Detach/ListAttached{User,Group}Policies and ListEntitiesForPolicy."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from directory import lookups
from directory.models import Group, Role, User
from iam_console.errors import LimitExceeded, NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.models import GroupPolicyAttachment, ManagedPolicy, UserPolicyAttachment
from policies.services.managed import policy_by_arn


def _quota() -> int:
    return settings.IAM_MANAGED_POLICIES_PER_ENTITY


def _policy_context(policy: ManagedPolicy) -> dict:
    return {"iam:PolicyARN": policy.arn}


@iam_operation("AttachUserPolicy")
def attach_user_policy(*, caller: Caller, user_name: str, policy_arn: str) -> None:
    user = lookups.user_by_name(user_name, for_update=True)  # the lock keeps the quota exact under concurrency
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:AttachUserPolicy", user.arn, _policy_context(policy))
    if UserPolicyAttachment.objects.filter(user=user, policy=policy).exists():
        return
    if UserPolicyAttachment.objects.filter(user=user).count() >= _quota():
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerUser: {_quota()}")
    UserPolicyAttachment.objects.create(user=user, policy=policy)


@iam_operation("DetachUserPolicy")
def detach_user_policy(*, caller: Caller, user_name: str, policy_arn: str) -> None:
    user = lookups.user_by_name(user_name, for_update=True)
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:DetachUserPolicy", user.arn, _policy_context(policy))
    deleted, _ = UserPolicyAttachment.objects.filter(user=user, policy=policy).delete()
    if not deleted:
        raise NoSuchEntity(f"Policy {policy.arn} was not found.")


@iam_operation("ListAttachedUserPolicies")
def list_attached_user_policies(*, caller: Caller, user_name: str) -> list[ManagedPolicy]:
    user = lookups.user_by_name(user_name)
    authorize_caller(caller, "iam:ListAttachedUserPolicies", user.arn)
    return list(ManagedPolicy.objects.filter(user_attachments__user=user).order_by("policy_name_key"))


@iam_operation("AttachGroupPolicy")
def attach_group_policy(*, caller: Caller, group_name: str, policy_arn: str) -> None:
    group = lookups.group_by_name(group_name, for_update=True)
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:AttachGroupPolicy", group.arn, _policy_context(policy))
    if GroupPolicyAttachment.objects.filter(group=group, policy=policy).exists():
        return
    if GroupPolicyAttachment.objects.filter(group=group).count() >= _quota():
        raise LimitExceeded(f"Cannot exceed quota for PoliciesPerGroup: {_quota()}")
    GroupPolicyAttachment.objects.create(group=group, policy=policy)


@iam_operation("DetachGroupPolicy")
def detach_group_policy(*, caller: Caller, group_name: str, policy_arn: str) -> None:
    group = lookups.group_by_name(group_name, for_update=True)
    policy = policy_by_arn(policy_arn)
    authorize_caller(caller, "iam:DetachGroupPolicy", group.arn, _policy_context(policy))
    deleted, _ = GroupPolicyAttachment.objects.filter(group=group, policy=policy).delete()
    if not deleted:
        raise NoSuchEntity(f"Policy {policy.arn} was not found.")


@iam_operation("ListAttachedGroupPolicies")
def list_attached_group_policies(*, caller: Caller, group_name: str) -> list[ManagedPolicy]:
    group = lookups.group_by_name(group_name)
    authorize_caller(caller, "iam:ListAttachedGroupPolicies", group.arn)
    return list(ManagedPolicy.objects.filter(group_attachments__group=group).order_by("policy_name_key"))


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
