"""Finding directory entities by name for services, with IAM's NoSuchEntity when absent."""

from __future__ import annotations

import json

from django.conf import settings

from directory.models import AccessKey, Group, Role, User
from iam_console.errors import NoSuchEntity
from iam_console.identifiers import group_arn, user_arn
from policies.authorization import authorize_unknown


def user_by_name(user_name: str, *, for_update: bool = False) -> User:
    queryset = User.objects.iam_users()
    if for_update:
        queryset = queryset.select_for_update()
    user = queryset.filter(user_name_key=str(user_name).lower()).first()
    if user is None:
        authorize_unknown(user_arn("/", str(user_name)))
        raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
    return user


def group_by_name(group_name: str, *, for_update: bool = False) -> Group:
    queryset = Group.objects.all()
    if for_update:
        queryset = queryset.select_for_update()
    group = queryset.filter(group_name_key=str(group_name).lower()).first()
    if group is None:
        authorize_unknown(group_arn("/", str(group_name)))
        raise NoSuchEntity(f"The group with name {group_name} cannot be found.")
    return group


def access_key_of(user: User, access_key_id: str, *, for_update: bool = False) -> AccessKey:
    queryset = AccessKey.objects.filter(user=user, access_key_id=access_key_id)
    if for_update:
        queryset = queryset.select_for_update()
    key = queryset.first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def target_user(caller_principal: object, user_name: str | None, *, for_update: bool = False) -> User:
    """The user an operation acts on: the named one, or (no name, as in AWS) the caller itself."""
    if user_name:
        return user_by_name(user_name, for_update=for_update)
    caller_principal = getattr(caller_principal, "user", caller_principal)  # a user's session acts as the user
    if isinstance(caller_principal, User):
        if for_update:
            return User.objects.select_for_update().get(pk=caller_principal.pk)
        return caller_principal
    raise NoSuchEntity("user_name is required when the caller is not an IAM user.")


def missing_principal_arns(document: str) -> list[str]:
    """The ARNs of this account's users and roles that a (trust) policy names as principals but that do not exist.

    AWS refuses such a trust policy ("Invalid principal in policy"); the console flags them before saving, so a
    template's placeholder (user/USER-NAME) or a typo never becomes a role nobody can assume.
    """
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []  # the validator reports a malformed document on its own
    statements = statements if isinstance(statements, list) else [statements]
    prefix = f"arn:{settings.IAM_PARTITION}:iam::{settings.IAM_ACCOUNT_ID}:"
    named: list[str] = []
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        values = principal.get("AWS", []) if isinstance(principal, dict) else []
        for arn in values if isinstance(values, list) else [values]:
            if isinstance(arn, str) and arn.startswith(prefix) and "*" not in arn and arn not in named:
                named.append(arn)
    missing = []
    for arn in named:
        kind, _, rest = arn[len(prefix):].partition("/")
        name = rest.rsplit("/", 1)[-1]
        model = {"user": User, "role": Role}.get(kind)
        if model is None:
            continue
        key = "user_name_key" if kind == "user" else "role_name_key"
        if not any(entity.arn == arn for entity in model.objects.filter(**{key: name.lower()})):
            missing.append(arn)
    return missing
