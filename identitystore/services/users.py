"""Users of the identity store: CreateUser, DescribeUser, UpdateUser, DeleteUser, ListUsers, GetUserId."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from iam_console.operations import iam_operation
from iam_console.pagination import Page
from identitystore import attributes
from identitystore.deprovisioning import end_sessions_of
from identitystore.errors import Conflict, Invalid, ResourceNotFound
from identitystore.models import IdentityStore, WorkforceUser
from identitystore.services.store import new_resource_id, page, resource_id, store_for
from policies.authorization import Caller, authorize_caller, authorize_unknown

SOURCE = "identitystore.amazonaws.com"
ENABLED, DISABLED = "ENABLED", "DISABLED"
# UpdateUser's attribute paths (compared case-insensitively) -> AWS's member names.
_TOP_PATHS = {name.lower(): name for name in ("UserName", "DisplayName", "ExternalIds", "UserStatus",
                                               *attributes.PROFILE_KEYS)}


def user_arn(user_id: str) -> str:
    return f"arn:aws:identitystore:::user/{user_id}"


def user_in(store: IdentityStore, caller: Caller, user_id: object, action: str, *,
            for_update: bool = False) -> WorkforceUser:
    """The store's user, after authorizing `action` on it; ResourceNotFoundException if it has none such."""
    user_id = resource_id(user_id, "UserId")
    queryset = WorkforceUser.objects.select_for_update() if for_update else WorkforceUser.objects
    user = queryset.filter(store=store, user_id=user_id).first()
    if user is None:
        authorize_unknown(user_arn(user_id))
        raise ResourceNotFound("USER", user_id, "User not found.")
    authorize_caller(caller, action, user.arn)
    return user


def _unique_name_or_conflict(store: IdentityStore, name: str, exclude: int | None = None) -> None:
    taken = WorkforceUser.objects.filter(store=store, user_name_key=name.lower())
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict("Duplicate UserName")


def _unique_external_ids_or_conflict(store: IdentityStore, external_ids: list[dict], exclude: int | None) -> None:
    for external_id in external_ids:
        taken = WorkforceUser.objects.filter(store=store, external_ids__contains=[external_id])
        if exclude is not None:
            taken = taken.exclude(pk=exclude)
        if taken.exists():
            raise Conflict("Duplicate ExternalId")


def _save(user: WorkforceUser, message: str = "Duplicate UserName") -> None:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(message) from None


@iam_operation("CreateUser", event_source=SOURCE)
def create_user(*, caller: Caller, identity_store_id: str, user_name: str, display_name: str | None = None,
                external_ids: list[dict] | None = None, profile: dict[str, Any] | None = None,
                active: bool = True) -> WorkforceUser:
    """`profile` holds the rest of the user under AWS's member names (Name, Emails, NickName…)."""
    store = store_for(caller, identity_store_id, "identitystore:CreateUser")
    name = attributes.user_name(user_name)
    display = attributes.text(display_name, "DisplayName") if display_name is not None else ""
    ids = attributes.external_ids(external_ids) if external_ids else []
    cleaned = attributes.profile(profile or {})
    _unique_name_or_conflict(store, name)
    _unique_external_ids_or_conflict(store, ids, None)
    user = WorkforceUser(store=store, user_id=new_resource_id(store), user_name=name, display_name=display,
                         external_ids=ids, profile=cleaned, active=bool(active), created_by=caller.principal.arn,
                         updated_by=caller.principal.arn)
    _save(user)
    return user


@iam_operation("DescribeUser", event_source=SOURCE)
def describe_user(*, caller: Caller, identity_store_id: str, user_id: str) -> WorkforceUser:
    store = store_for(caller, identity_store_id, "identitystore:DescribeUser")
    return user_in(store, caller, user_id, "identitystore:DescribeUser")


def _operation_parts(operation: Any) -> tuple[str, str | None, bool, Any]:
    """(top attribute, sub-attribute or None, whether a value was given, the value) of one AttributeOperation."""
    if not isinstance(operation, dict) or set(operation) - {"AttributePath", "AttributeValue"}:
        raise Invalid("Each operation holds an AttributePath and, to set it, an AttributeValue.")
    path = operation.get("AttributePath")
    if not isinstance(path, str) or not 1 <= len(path) <= 255:
        raise Invalid("AttributePath must be from 1 to 255 characters long.")
    if path.lower().startswith(attributes.ENTERPRISE_EXTENSION):
        sub = path[len(attributes.ENTERPRISE_EXTENSION):].lstrip(".") or None
        top: str | None = "Extensions"
    else:
        head, _, rest = path.partition(".")
        top, sub = _TOP_PATHS.get(head.lower()), rest or None
        if sub is not None and top != "Name":
            top = None
    if top is None:
        raise Invalid(f"{path} is not an attribute path of a user.")
    return top, sub, "AttributeValue" in operation and operation["AttributeValue"] is not None, \
        operation.get("AttributeValue")


def _apply(user: WorkforceUser, operations: Any) -> bool:
    """Apply UpdateUser's operations to `user` in memory; whether it is deactivated by them."""
    if not isinstance(operations, list) or not 1 <= len(operations) <= 100:
        raise Invalid("Operations must be a list of 1 to 100 attribute operations.")
    was_active = user.active
    profile = dict(user.profile)
    for operation in operations:
        top, sub, given, value = _operation_parts(operation)
        if top == "UserName":
            if not given:
                raise Invalid("UserName cannot be removed.")
            user.user_name = attributes.user_name(value)
        elif top == "DisplayName":
            user.display_name = attributes.text(value, "DisplayName") if given else ""
        elif top == "ExternalIds":
            user.external_ids = attributes.external_ids(value) if given else []
        elif top == "UserStatus":
            if value not in (ENABLED, DISABLED):
                raise Invalid("UserStatus must be ENABLED or DISABLED.")
            user.active = value == ENABLED
        elif top == "Name" and sub is not None:
            part = next((p for p in attributes.NAME_PARTS if p.lower() == sub.lower()), None)
            if part is None:
                raise Invalid(f"name.{sub} is not an attribute path of a user.")
            name = dict(profile.get("Name") or {})
            if given:
                name[part] = attributes.text(value, f"Name.{part}")
            else:
                name.pop(part, None)
            profile["Name"] = name
        elif top == "Extensions" and sub is not None:
            enterprise = dict((profile.get("Extensions") or {}).get(attributes.ENTERPRISE_EXTENSION, {}))
            if given:
                enterprise[sub] = value
            else:
                enterprise.pop(sub, None)
            profile["Extensions"] = {attributes.ENTERPRISE_EXTENSION: enterprise}
        elif given:
            profile[top] = value
        else:
            profile.pop(top, None)
    user.profile = attributes.profile(profile)
    return was_active and not user.active


@iam_operation("UpdateUser", event_source=SOURCE)
def update_user(*, caller: Caller, identity_store_id: str, user_id: str, operations: list[dict]) -> WorkforceUser:
    store = store_for(caller, identity_store_id, "identitystore:UpdateUser")
    user = user_in(store, caller, user_id, "identitystore:UpdateUser", for_update=True)
    deactivated = _apply(user, operations)
    _unique_name_or_conflict(store, user.user_name, exclude=user.pk)
    _unique_external_ids_or_conflict(store, user.external_ids, exclude=user.pk)
    user.updated_at, user.updated_by = timezone.now(), caller.principal.arn
    _save(user)
    user.refresh_from_db(fields=["user_name_key"])
    if deactivated:
        end_sessions_of(user, reason="deactivated")
    return user


@iam_operation("DeleteUser", event_source=SOURCE)
def delete_user(*, caller: Caller, identity_store_id: str, user_id: str) -> None:
    store = store_for(caller, identity_store_id, "identitystore:DeleteUser")
    user = user_in(store, caller, user_id, "identitystore:DeleteUser", for_update=True)
    end_sessions_of(user, reason="deleted")
    user.delete()  # its memberships go with it


@iam_operation("ListUsers", event_source=SOURCE)
def list_users(*, caller: Caller, identity_store_id: str, filters: list[dict] | None = None,
               max_results: int | None = None, next_token: str | None = None) -> Page[WorkforceUser]:
    store = store_for(caller, identity_store_id, "identitystore:ListUsers")
    queryset = WorkforceUser.objects.filter(store=store)
    for _path, value in attribute_filters(filters, "UserName"):
        queryset = queryset.filter(user_name_key=value.lower())
    return page(queryset, key="user_id", next_token=next_token, max_results=max_results)


def attribute_filters(filters: Any, allowed: str) -> list[tuple[str, str]]:
    """ListUsers' and ListGroups' Filters: at most one, on `allowed` (UserName or DisplayName), exact."""
    if filters is None:
        return []
    if not isinstance(filters, list) or len(filters) > 1:
        raise Invalid("Filters holds at most one filter.")
    cleaned = []
    for item in filters:
        if not isinstance(item, dict) or set(item) != {"AttributePath", "AttributeValue"}:
            raise Invalid("A filter holds an AttributePath and an AttributeValue.")
        if not isinstance(item["AttributePath"], str) or item["AttributePath"].lower() != allowed.lower():
            raise Invalid(f"AttributePath {item['AttributePath']} is not supported: filter on {allowed}.")
        cleaned.append((allowed, attributes.text(item["AttributeValue"], "AttributeValue")))
    return cleaned


def unique_attribute(identifier: Any, paths: dict[str, str]) -> tuple[str, Any] | tuple[None, dict]:
    """GetUserId's and GetGroupId's AlternateIdentifier: ('column', value) for a UniqueAttribute, or
    (None, {Issuer, Id}) for an ExternalId."""
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise Invalid("AlternateIdentifier holds exactly one of ExternalId and UniqueAttribute.")
    if "ExternalId" in identifier:
        return None, attributes.external_ids([identifier["ExternalId"]])[0]
    unique = identifier.get("UniqueAttribute")
    if not isinstance(unique, dict) or set(unique) != {"AttributePath", "AttributeValue"}:
        raise Invalid("UniqueAttribute holds an AttributePath and an AttributeValue.")
    path = unique["AttributePath"]
    column = paths.get(path.lower()) if isinstance(path, str) else None
    if column is None:
        raise Invalid(f"AttributePath {path} is not a unique attribute: use one of {', '.join(paths)}.")
    return column, attributes.text(unique["AttributeValue"], "AttributeValue")


@iam_operation("GetUserId", event_source=SOURCE)
def get_user_id(*, caller: Caller, identity_store_id: str, alternate_identifier: dict) -> WorkforceUser:
    store = store_for(caller, identity_store_id, "identitystore:GetUserId")
    column, value = unique_attribute(alternate_identifier, {"username": "user_name_key",
                                                            "emails.value": "email"})
    queryset = WorkforceUser.objects.filter(store=store)
    if column is None:
        user = queryset.filter(external_ids__contains=[value]).first()
    elif column == "email":
        user = queryset.filter(profile__contains={"Emails": [{"Value": value}]}).first()
    else:
        user = queryset.filter(user_name_key=value.lower()).first()
    if user is None:
        raise ResourceNotFound("USER", "", "User not found.")
    authorize_caller(caller, "identitystore:GetUserId", user.arn)
    return user
