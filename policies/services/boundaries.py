"""Permissions boundaries on users: Put/DeleteUserPermissionsBoundary."""

from __future__ import annotations

from directory import lookups
from iam_console.errors import NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.models import ManagedPolicy, UserPermissionsBoundary
from policies.services.managed import policy_by_arn


@iam_operation("PutUserPermissionsBoundary")
def put_user_permissions_boundary(*, caller: Caller, user_name: str, permissions_boundary: str) -> ManagedPolicy:
    user = lookups.user_by_name(user_name, for_update=True)
    policy = policy_by_arn(permissions_boundary)
    authorize_caller(caller, "iam:PutUserPermissionsBoundary", user.arn,
                     {"iam:PermissionsBoundary": policy.arn})
    UserPermissionsBoundary.objects.update_or_create(user=user, defaults={"policy": policy})
    return policy


@iam_operation("DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(*, caller: Caller, user_name: str) -> None:
    user = lookups.user_by_name(user_name, for_update=True)
    authorize_caller(caller, "iam:DeleteUserPermissionsBoundary", user.arn)
    deleted, _ = UserPermissionsBoundary.objects.filter(user=user).delete()
    if not deleted:
        raise NoSuchEntity(f"The user {user.user_name} has no permissions boundary.")
