"""User operations: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers, ListGroupsForUser."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from directory import lookups
from directory.models import Group, User, UserTag
from iam_console import identifiers
from iam_console.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded
from iam_console.operations import iam_operation
from iam_console.pagination import Page, keyset_page
from iam_console.tagging import request_tag_context
from iam_console.validation import (
    TAGS_PER_ENTITY,
    USER_NAME_MAX,
    validate_name,
    validate_path,
    validate_path_prefix,
    validate_tags,
)
from policies.authorization import Caller, authorize_caller


@iam_operation("CreateUser")
def create_user(*, caller: Caller, user_name: str, path: str = "/", tags: list[dict] | None = None,
                permissions_boundary: str | None = None) -> User:
    validate_name(user_name, field="userName", max_length=USER_NAME_MAX)
    path = validate_path(path)
    tag_map = validate_tags(tags or [])
    arn = identifiers.user_arn(caller.account_id, path, user_name)
    context = request_tag_context(tag_map)
    boundary = None
    if permissions_boundary:
        # Imported here: the policies app builds on the directory, so the directory imports it only when used.
        from policies.services.managed import policy_by_arn

        boundary = policy_by_arn(caller.account_id, permissions_boundary)
        # Delegated administration: a policy may allow CreateUser only with a given boundary.
        context["iam:PermissionsBoundary"] = boundary.arn
    authorize_caller(caller, "iam:CreateUser", arn, context)
    if tag_map:
        authorize_caller(caller, "iam:TagUser", arn, request_tag_context(tag_map))
    if boundary is not None:
        authorize_caller(caller, "iam:PutUserPermissionsBoundary", arn, {"iam:PermissionsBoundary": boundary.arn})
    if len(tag_map) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"A user can have at most {TAGS_PER_ENTITY} tags.")
    if User.objects.filter(account_id=caller.account_id, user_name_key=user_name.lower()).exists():
        raise EntityAlreadyExists(f"User with name {user_name} already exists.")
    try:
        with transaction.atomic():
            user = User(account_id=caller.account_id, user_name=user_name, path=path,
                        user_id=identifiers.new_unique_id(identifiers.USER_ID_PREFIX))
            user.set_unusable_password()
            user.save()
    except IntegrityError:
        # Another request created the same name between our check and our insert.
        raise EntityAlreadyExists(f"User with name {user_name} already exists.") from None
    UserTag.objects.bulk_create([UserTag(user=user, key=key, value=value) for key, value in tag_map.items()])
    if boundary is not None:
        from directory.models import UserPermissionsBoundary

        UserPermissionsBoundary.objects.create(user=user, policy=boundary)
    return user


@iam_operation("GetUser")
def get_user(*, caller: Caller, user_name: str | None = None) -> User:
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, "iam:GetUser", user.arn)
    return user


@iam_operation("UpdateUser")
def update_user(*, caller: Caller, user_name: str, new_user_name: str | None = None,
                new_path: str | None = None) -> User:
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    target_name = validate_name(new_user_name, field="newUserName", max_length=USER_NAME_MAX) \
        if new_user_name else user.user_name
    target_path = validate_path(new_path, field="newPath") if new_path else user.path
    # Renaming needs permission on both the old and the new identity, as in AWS.
    authorize_caller(caller, "iam:UpdateUser", user.arn)
    new_arn = identifiers.user_arn(caller.account_id, target_path, target_name)
    if new_arn != user.arn:
        authorize_caller(caller, "iam:UpdateUser", new_arn)
    if target_name.lower() != user.user_name_key and \
            User.objects.filter(account_id=user.account_id, user_name_key=target_name.lower()).exists():
        raise EntityAlreadyExists(f"User with name {target_name} already exists.")
    user.user_name, user.path = target_name, target_path
    try:
        with transaction.atomic():
            user.save(update_fields=["user_name", "path"])
    except IntegrityError:
        raise EntityAlreadyExists(f"User with name {target_name} already exists.") from None
    user.refresh_from_db(fields=["user_name_key"])
    return user


@dataclass(frozen=True)
class UserDependents:
    """What stops DeleteUser, in the order AWS reports it."""

    login_profile: bool
    access_keys: list[str]
    groups: list[str]
    mfa_devices: list[str]
    attached_policies: list[str]
    inline_policies: list[str]

    @property
    def blocking(self) -> bool:
        return bool(self.login_profile or self.access_keys or self.groups or self.mfa_devices
                    or self.attached_policies or self.inline_policies)

    def conflict_message(self) -> str:
        if self.login_profile:
            return "Cannot delete entity, must delete login profile first."
        if self.access_keys:
            return "Cannot delete entity, must delete access keys first."
        if self.mfa_devices:
            return "Cannot delete entity, must delete MFA device first."
        if self.groups:
            return "Cannot delete entity, must remove users from group first."
        if self.attached_policies:
            return "Cannot delete entity, must detach all policies first."
        return "Cannot delete entity, must delete policies first."


# Other apps (policies, MFA) register how to list a user's dependents of their kind: name -> callable(user).
DEPENDENT_FINDERS: dict[str, Callable[[User], Iterable[str]]] = {}


def user_dependents(user: User) -> UserDependents:
    extra = {name: list(find(user)) for name, find in DEPENDENT_FINDERS.items()}
    return UserDependents(
        login_profile=user.has_login_profile,
        access_keys=list(user.access_keys.values_list("access_key_id", flat=True)),
        groups=list(Group.objects.filter(memberships__user=user).order_by("group_name_key")
                    .values_list("group_name", flat=True)),
        mfa_devices=extra.get("mfa_devices", []),
        attached_policies=extra.get("attached_policies", []),
        inline_policies=extra.get("inline_policies", []),
    )


@iam_operation("DeleteUser")
def delete_user(*, caller: Caller, user_name: str) -> None:
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:DeleteUser", user.arn)
    dependents = user_dependents(user)
    if dependents.blocking:
        raise DeleteConflict(dependents.conflict_message(), details={
            "login_profile": dependents.login_profile, "access_keys": dependents.access_keys,
            "groups": dependents.groups, "mfa_devices": dependents.mfa_devices,
            "attached_policies": dependents.attached_policies, "inline_policies": dependents.inline_policies,
        })
    user.delete()


@iam_operation("ListUsers")
def list_users(*, caller: Caller, path_prefix: str = "/", marker: str | None = None,
               max_items: int | None = None) -> Page[User]:
    prefix = validate_path_prefix(path_prefix)
    authorize_caller(caller, "iam:ListUsers", "*")
    queryset = User.objects.iam_users(caller.account_id)
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    return keyset_page(queryset, key="user_name_key", marker=marker, max_items=max_items)


@iam_operation("ListGroupsForUser")
def list_groups_for_user(*, caller: Caller, user_name: str, marker: str | None = None,
                         max_items: int | None = None) -> Page[Group]:
    user = lookups.user_by_name(caller.account_id, user_name)
    authorize_caller(caller, "iam:ListGroupsForUser", user.arn)
    return keyset_page(Group.objects.filter(memberships__user=user), key="group_name_key", marker=marker,
                       max_items=max_items)
