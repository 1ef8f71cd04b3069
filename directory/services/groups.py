"""Group operations: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, Add/RemoveUserToGroup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from directory import lookups
from directory.models import Group, GroupMembership, User
from iam_console import identifiers
from iam_console.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from iam_console.operations import iam_operation
from iam_console.pagination import Page, keyset_page
from iam_console.validation import GROUP_NAME_MAX, validate_name, validate_path, validate_path_prefix
from policies.authorization import Caller, authorize_caller

GROUPS_PER_USER = 10


@iam_operation("CreateGroup")
def create_group(*, caller: Caller, group_name: str, path: str = "/") -> Group:
    validate_name(group_name, field="groupName", max_length=GROUP_NAME_MAX)
    path = validate_path(path)
    authorize_caller(caller, "iam:CreateGroup", identifiers.group_arn(caller.account_id, path, group_name))
    if Group.objects.filter(account_id=caller.account_id, group_name_key=group_name.lower()).exists():
        raise EntityAlreadyExists(f"Group with name {group_name} already exists.")
    try:
        with transaction.atomic():
            return Group.objects.create(account_id=caller.account_id, group_name=group_name, path=path,
                                        group_id=identifiers.new_unique_id(identifiers.GROUP_ID_PREFIX))
    except IntegrityError:
        raise EntityAlreadyExists(f"Group with name {group_name} already exists.") from None


@dataclass(frozen=True)
class GroupWithUsers:
    group: Group
    users: Page[User]


@iam_operation("GetGroup")
def get_group(*, caller: Caller, group_name: str, marker: str | None = None,
              max_items: int | None = None) -> GroupWithUsers:
    group = lookups.group_by_name(caller.account_id, group_name)
    authorize_caller(caller, "iam:GetGroup", group.arn)
    users = keyset_page(User.objects.filter(memberships__group=group), key="user_name_key", marker=marker,
                        max_items=max_items)
    return GroupWithUsers(group=group, users=users)


@iam_operation("UpdateGroup")
def update_group(*, caller: Caller, group_name: str, new_group_name: str | None = None,
                 new_path: str | None = None) -> Group:
    group = lookups.group_by_name(caller.account_id, group_name, for_update=True)
    target_name = validate_name(new_group_name, field="newGroupName", max_length=GROUP_NAME_MAX) \
        if new_group_name else group.group_name
    target_path = validate_path(new_path, field="newPath") if new_path else group.path
    authorize_caller(caller, "iam:UpdateGroup", group.arn)
    new_arn = identifiers.group_arn(caller.account_id, target_path, target_name)
    if new_arn != group.arn:
        authorize_caller(caller, "iam:UpdateGroup", new_arn)
    if target_name.lower() != group.group_name_key and \
            Group.objects.filter(account_id=group.account_id, group_name_key=target_name.lower()).exists():
        raise EntityAlreadyExists(f"Group with name {target_name} already exists.")
    group.group_name, group.path = target_name, target_path
    try:
        with transaction.atomic():
            group.save(update_fields=["group_name", "path"])
    except IntegrityError:
        raise EntityAlreadyExists(f"Group with name {target_name} already exists.") from None
    group.refresh_from_db(fields=["group_name_key"])
    return group


# Other apps register what else blocks DeleteGroup (attached or inline policies): name -> callable(group).
GROUP_DEPENDENT_FINDERS: dict[str, Callable[[Group], Iterable[str]]] = {}


@iam_operation("DeleteGroup")
def delete_group(*, caller: Caller, group_name: str) -> None:
    group = lookups.group_by_name(caller.account_id, group_name, for_update=True)
    authorize_caller(caller, "iam:DeleteGroup", group.arn)
    if GroupMembership.objects.filter(group=group).exists():
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    for name, find in GROUP_DEPENDENT_FINDERS.items():
        if list(find(group)):
            what = "detach all policies" if name == "attached_policies" else "delete policies"
            raise DeleteConflict(f"Cannot delete entity, must {what} first.")
    group.delete()


@iam_operation("ListGroups")
def list_groups(*, caller: Caller, path_prefix: str = "/", marker: str | None = None,
                max_items: int | None = None) -> Page[Group]:
    prefix = validate_path_prefix(path_prefix)
    authorize_caller(caller, "iam:ListGroups", "*")
    queryset = Group.objects.filter(account_id=caller.account_id)
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    return keyset_page(queryset, key="group_name_key", marker=marker, max_items=max_items)


@iam_operation("AddUserToGroup")
def add_user_to_group(*, caller: Caller, group_name: str, user_name: str) -> None:
    group = lookups.group_by_name(caller.account_id, group_name)
    # Lock the user row: the 10-groups quota must hold when two requests add groups at once.
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:AddUserToGroup", group.arn)
    if GroupMembership.objects.filter(user=user, group=group).exists():
        return  # AWS treats adding an existing member as success.
    if GroupMembership.objects.filter(user=user).count() >= GROUPS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
    GroupMembership.objects.create(user=user, group=group)


@iam_operation("RemoveUserFromGroup")
def remove_user_from_group(*, caller: Caller, group_name: str, user_name: str) -> None:
    group = lookups.group_by_name(caller.account_id, group_name)
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:RemoveUserFromGroup", group.arn)
    deleted, _ = GroupMembership.objects.filter(user=user, group=group).delete()
    if not deleted:
        raise NoSuchEntity(f"The user with name {user.user_name} is not a member of group {group.group_name}.")
