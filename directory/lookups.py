"""Finding directory entities by name for services, within one account, with IAM's NoSuchEntity when absent.

Every lookup takes the account it searches (the caller's): an entity of another account is not found, exactly as
a name nobody holds, so no door can read, change or even detect it.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.db.models import QuerySet

from accounts.selectors import existing_account_ids
from directory.models import AccessKey, Group, Role, User
from iam_console.errors import MalformedPolicyDocument, NoSuchEntity, UnmodifiableEntity
from iam_console.identifiers import group_arn, role_arn, user_arn
from policies.authorization import Caller, authorize_unknown


def _by_name(queryset: QuerySet, kind: str, name: object, unknown_arn: str, *, for_update: bool):
    """The one entity of `queryset` (an account's) with this name, case-insensitively; NoSuchEntity otherwise,
    after asking whether the caller may act on the ARN it would have (so that names cannot be probed)."""
    if for_update:
        queryset = queryset.select_for_update()
    entity = queryset.filter(**{f"{kind}_name_key": str(name).lower()}).first()
    if entity is None:
        authorize_unknown(unknown_arn)
        raise NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    return entity


def user_by_name(account_id: str, user_name: str, *, for_update: bool = False) -> User:
    return _by_name(User.objects.iam_users(account_id), "user", user_name,
                    user_arn(account_id, "/", str(user_name)), for_update=for_update)


def group_by_name(account_id: str, group_name: str, *, for_update: bool = False) -> Group:
    return _by_name(Group.objects.filter(account_id=account_id), "group", group_name,
                    group_arn(account_id, "/", str(group_name)), for_update=for_update)


def role_by_name(account_id: str, role_name: str, *, for_update: bool = False) -> Role:
    return _by_name(Role.objects.filter(account_id=account_id), "role", role_name,
                    role_arn(account_id, "/", str(role_name)), for_update=for_update)


def refuse_protected(entity: object) -> None:
    """A reserved role (path /aws-reserved/: Identity Center's, provisioned from a permission set) changes only
    through its provisioning; every IAM write to it is refused, the account's administrators' and root's too."""
    if isinstance(entity, Role) and entity.path.startswith("/aws-reserved/"):
        raise UnmodifiableEntity(f"Cannot perform the operation on the protected role '{entity.role_name}' - this "
                                 "role is only modifiable by AWS")


def access_key_of(user: User, access_key_id: str, *, for_update: bool = False) -> AccessKey:
    queryset = AccessKey.objects.filter(user=user, access_key_id=access_key_id)
    if for_update:
        queryset = queryset.select_for_update()
    key = queryset.first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def target_user(caller: Caller, user_name: str | None, *, for_update: bool = False) -> User:
    """The user an operation acts on: the named one of the caller's account, or (no name, as in AWS) the caller."""
    if user_name:
        return user_by_name(caller.account_id, user_name, for_update=for_update)
    caller_principal = getattr(caller.principal, "user", caller.principal)  # a user's session acts as the user
    if isinstance(caller_principal, User):
        if for_update:
            return User.objects.select_for_update().get(pk=caller_principal.pk)
        return caller_principal
    raise NoSuchEntity("user_name is required when the caller is not an IAM user.")


def _trust_principals(document: str) -> list[tuple[str, str]]:
    """The (principal type, value) pairs of a policy's Principal elements; nothing for a malformed document (the
    validator reports that on its own)."""
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []
    statements = statements if isinstance(statements, list) else [statements]
    found: list[tuple[str, str]] = []
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict):
            continue
        for kind, values in principal.items():
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and (kind, value) not in found:
                    found.append((kind, value))
    return found


_PRINCIPAL_ACCOUNT = re.compile(r"(?:arn:[\w-]+:(?:iam|sts)::)?(?P<account>\d{12})(?::.*)?")


def refuse_unknown_accounts(document: str) -> None:
    """A trust policy may name principals of any account of this directory, and of no other: an account that does
    not exist here can never act, so naming it is refused as AWS refuses an invalid principal."""
    named: dict[str, tuple[str, str]] = {}
    for kind, value in _trust_principals(document):
        match = _PRINCIPAL_ACCOUNT.fullmatch(value) if kind in ("AWS", "Federated") else None
        if match is not None and "*" not in match["account"]:
            named.setdefault(match["account"], (kind, value))
    unknown = sorted(set(named) - existing_account_ids(set(named)))
    if unknown:
        kind, value = named[unknown[0]]
        raise MalformedPolicyDocument(f'Invalid principal in policy: "{kind}":"{value}"')


def missing_principal_arns(account_id: str, document: str) -> list[str]:
    """The ARNs of the account's users and roles that a (trust) policy names as principals but that do not exist.

    AWS refuses such a trust policy ("Invalid principal in policy"); the console flags them before saving, so a
    template's placeholder (user/USER-NAME) or a typo never becomes a role nobody can assume.
    """
    prefix = f"arn:{settings.IAM_PARTITION}:iam::{account_id}:"
    named = [arn for kind, arn in _trust_principals(document)
             if kind == "AWS" and arn.startswith(prefix) and "*" not in arn]
    missing = []
    for arn in named:
        kind, _, rest = arn[len(prefix):].partition("/")
        name = rest.rsplit("/", 1)[-1]
        model = {"user": User, "role": Role}.get(kind)
        if model is None:
            continue
        key = "user_name_key" if kind == "user" else "role_name_key"
        candidates = model.objects.filter(account_id=account_id, **{key: name.lower()})
        if not any(entity.arn == arn for entity in candidates):
            missing.append(arn)
    return missing
