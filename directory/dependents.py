"""What policies a user or group still holds: the dependents that block DeleteUser and DeleteGroup."""

from __future__ import annotations

from directory.models import Group, GroupInlinePolicy, User, UserInlinePolicy
from policies.models import ManagedPolicy


def user_attached_policies(user: User) -> list[str]:
    return [p.arn for p in ManagedPolicy.objects.filter(user_attachments__user=user).order_by("policy_name_key")]


def user_inline_policies(user: User) -> list[str]:
    return list(UserInlinePolicy.objects.filter(user=user).values_list("policy_name", flat=True))


def group_attached_policies(group: Group) -> list[str]:
    return [p.arn for p in ManagedPolicy.objects.filter(group_attachments__group=group).order_by("policy_name_key")]


def group_inline_policies(group: Group) -> list[str]:
    return list(GroupInlinePolicy.objects.filter(group=group).values_list("policy_name", flat=True))
