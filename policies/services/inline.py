"""Inline policies: Put/Get/Delete/List{User,Group}Policy, with IAM's aggregate size limits."""

from __future__ import annotations

from django.utils import timezone

from directory import lookups
from iam_console.errors import LimitExceeded, NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.documents import checked_document, non_whitespace_length
from policies.language import SIZE_LIMITS
from policies.models import GroupInlinePolicy, UserInlinePolicy
from policies.services.managed import validate_policy_name


def _check_aggregate(existing: list[str], document: str, *, limit: int, entity: str) -> None:
    # IAM limits the total size of all inline policies of an entity, not each one.
    total = sum(non_whitespace_length(text) for text in existing) + non_whitespace_length(document)
    if total > limit:
        raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {entity}: the inline policies "
                            f"would total {total} characters (whitespace not counted).")


@iam_operation("PutUserPolicy")
def put_user_policy(*, caller: Caller, user_name: str, policy_name: str, policy_document: str) -> UserInlinePolicy:
    validate_policy_name(policy_name)
    user = lookups.user_by_name(user_name, for_update=True)
    authorize_caller(caller, "iam:PutUserPolicy", user.arn)
    document = checked_document(policy_document, size_limit="user_inline")
    others = UserInlinePolicy.objects.filter(user=user).exclude(policy_name_key=policy_name.lower())
    _check_aggregate(list(others.values_list("document", flat=True)), document,
                     limit=SIZE_LIMITS["user_inline"], entity=f"user {user.user_name}")
    policy, _ = UserInlinePolicy.objects.update_or_create(
        user=user, policy_name_key=policy_name.lower(),
        defaults={"policy_name": policy_name, "document": document, "update_date": timezone.now()})
    return policy


@iam_operation("GetUserPolicy")
def get_user_policy(*, caller: Caller, user_name: str, policy_name: str) -> UserInlinePolicy:
    user = lookups.user_by_name(user_name)
    authorize_caller(caller, "iam:GetUserPolicy", user.arn)
    policy = UserInlinePolicy.objects.filter(user=user, policy_name_key=str(policy_name).lower()).first()
    if policy is None:
        raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")
    return policy


@iam_operation("DeleteUserPolicy")
def delete_user_policy(*, caller: Caller, user_name: str, policy_name: str) -> None:
    user = lookups.user_by_name(user_name, for_update=True)
    authorize_caller(caller, "iam:DeleteUserPolicy", user.arn)
    deleted, _ = UserInlinePolicy.objects.filter(user=user, policy_name_key=str(policy_name).lower()).delete()
    if not deleted:
        raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")


@iam_operation("ListUserPolicies")
def list_user_policies(*, caller: Caller, user_name: str) -> list[str]:
    user = lookups.user_by_name(user_name)
    authorize_caller(caller, "iam:ListUserPolicies", user.arn)
    return list(UserInlinePolicy.objects.filter(user=user).values_list("policy_name", flat=True))


@iam_operation("PutGroupPolicy")
def put_group_policy(*, caller: Caller, group_name: str, policy_name: str,
                     policy_document: str) -> GroupInlinePolicy:
    validate_policy_name(policy_name)
    group = lookups.group_by_name(group_name, for_update=True)
    authorize_caller(caller, "iam:PutGroupPolicy", group.arn)
    document = checked_document(policy_document, size_limit="group_inline")
    others = GroupInlinePolicy.objects.filter(group=group).exclude(policy_name_key=policy_name.lower())
    _check_aggregate(list(others.values_list("document", flat=True)), document,
                     limit=SIZE_LIMITS["group_inline"], entity=f"group {group.group_name}")
    policy, _ = GroupInlinePolicy.objects.update_or_create(
        group=group, policy_name_key=policy_name.lower(),
        defaults={"policy_name": policy_name, "document": document, "update_date": timezone.now()})
    return policy


@iam_operation("GetGroupPolicy")
def get_group_policy(*, caller: Caller, group_name: str, policy_name: str) -> GroupInlinePolicy:
    group = lookups.group_by_name(group_name)
    authorize_caller(caller, "iam:GetGroupPolicy", group.arn)
    policy = GroupInlinePolicy.objects.filter(group=group, policy_name_key=str(policy_name).lower()).first()
    if policy is None:
        raise NoSuchEntity(f"The group policy with name {policy_name} cannot be found.")
    return policy


@iam_operation("DeleteGroupPolicy")
def delete_group_policy(*, caller: Caller, group_name: str, policy_name: str) -> None:
    group = lookups.group_by_name(group_name, for_update=True)
    authorize_caller(caller, "iam:DeleteGroupPolicy", group.arn)
    deleted, _ = GroupInlinePolicy.objects.filter(group=group, policy_name_key=str(policy_name).lower()).delete()
    if not deleted:
        raise NoSuchEntity(f"The group policy with name {policy_name} cannot be found.")


@iam_operation("ListGroupPolicies")
def list_group_policies(*, caller: Caller, group_name: str) -> list[str]:
    group = lookups.group_by_name(group_name)
    authorize_caller(caller, "iam:ListGroupPolicies", group.arn)
    return list(GroupInlinePolicy.objects.filter(group=group).values_list("policy_name", flat=True))
