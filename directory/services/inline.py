"""Inline policies: Put/Get/Delete/List{User,Group}Policy, with IAM's aggregate size limits."""

from __future__ import annotations

from directory.models import GroupInlinePolicy, UserInlinePolicy
from directory.services import entity_policies as entity
from iam_console.operations import iam_operation
from policies.authorization import Caller


@iam_operation("PutUserPolicy")
def put_user_policy(*, caller: Caller, user_name: str, policy_name: str, policy_document: str) -> UserInlinePolicy:
    return entity.put_inline(entity.USER, caller=caller, name=user_name, policy_name=policy_name,
                             policy_document=policy_document)


@iam_operation("GetUserPolicy")
def get_user_policy(*, caller: Caller, user_name: str, policy_name: str) -> UserInlinePolicy:
    return entity.get_inline(entity.USER, caller=caller, name=user_name, policy_name=policy_name)


@iam_operation("DeleteUserPolicy")
def delete_user_policy(*, caller: Caller, user_name: str, policy_name: str) -> None:
    entity.delete_inline(entity.USER, caller=caller, name=user_name, policy_name=policy_name)


@iam_operation("ListUserPolicies")
def list_user_policies(*, caller: Caller, user_name: str) -> list[str]:
    return entity.list_inline(entity.USER, caller=caller, name=user_name)


@iam_operation("PutGroupPolicy")
def put_group_policy(*, caller: Caller, group_name: str, policy_name: str,
                     policy_document: str) -> GroupInlinePolicy:
    return entity.put_inline(entity.GROUP, caller=caller, name=group_name, policy_name=policy_name,
                             policy_document=policy_document)


@iam_operation("GetGroupPolicy")
def get_group_policy(*, caller: Caller, group_name: str, policy_name: str) -> GroupInlinePolicy:
    return entity.get_inline(entity.GROUP, caller=caller, name=group_name, policy_name=policy_name)


@iam_operation("DeleteGroupPolicy")
def delete_group_policy(*, caller: Caller, group_name: str, policy_name: str) -> None:
    entity.delete_inline(entity.GROUP, caller=caller, name=group_name, policy_name=policy_name)


@iam_operation("ListGroupPolicies")
def list_group_policies(*, caller: Caller, group_name: str) -> list[str]:
    return entity.list_inline(entity.GROUP, caller=caller, name=group_name)
