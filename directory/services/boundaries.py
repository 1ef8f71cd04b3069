"""Permissions boundaries on users: Put/DeleteUserPermissionsBoundary."""

from __future__ import annotations

from directory.services import entity_policies as entity
from iam_console.operations import iam_operation
from policies.authorization import Caller
from policies.models import ManagedPolicy


@iam_operation("PutUserPermissionsBoundary")
def put_user_permissions_boundary(*, caller: Caller, user_name: str, permissions_boundary: str) -> ManagedPolicy:
    return entity.put_boundary(entity.USER, caller=caller, name=user_name, permissions_boundary=permissions_boundary)


@iam_operation("DeleteUserPermissionsBoundary")
def delete_user_permissions_boundary(*, caller: Caller, user_name: str) -> None:
    entity.delete_boundary(entity.USER, caller=caller, name=user_name)
