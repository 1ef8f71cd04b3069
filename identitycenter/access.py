"""Who may call an Identity Center operation (authorized as `sso:<Action>`), the instance a request names, and
NextToken pages."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from iam_console.callers import Caller
from iam_console.errors import ValidationError
from iam_console.pagination import decode_marker, encode_marker
from identitycenter import identifiers
from identitycenter.errors import ResourceNotFoundException, ValidationException
from identitycenter.models import Instance, PermissionSet
from identitystore.services.store import identity_store_of
from policies.authorization import authorize_caller, authorize_unknown

EVENT_SOURCE = "sso.amazonaws.com"
DEFAULT_MAX_RESULTS = 100


def instance_of(account_id: str | None) -> Instance | None:
    """The organization's instance, made with the identity store on first use; only the management account has it."""
    store = identity_store_of(account_id)
    if store is None:
        return None
    instance = Instance.objects.filter(account_id=account_id).first()
    if instance is not None:
        return instance
    try:
        with transaction.atomic():
            return Instance.objects.create(id=identifiers.new_instance_id(), account_id=account_id, store=store)
    except IntegrityError:  # made meanwhile by another request
        return Instance.objects.get(account_id=account_id)


def instance_for(caller: Caller, instance_arn: str, action: str, resource: str | None = None) -> Instance:
    """The instance the request names, if it is the caller's account's, once `sso:<action>` is allowed on
    `resource` (the instance's ARN unless named)."""
    instance_id = identifiers.instance_id_of(instance_arn)
    instance = instance_of(caller.account_id)
    if instance is None or instance.id != instance_id:
        authorize_unknown(resource or instance_arn)
        raise ResourceNotFoundException("Instance not found.")
    authorize_caller(caller, f"sso:{action}", resource or instance.arn)
    return instance


def permission_set_for(caller: Caller, instance_arn: str, permission_set_arn: str, action: str, *,
                       lock: bool = False) -> PermissionSet:
    """A permission set of the named instance, once `sso:<action>` is allowed on it."""
    owner, ps_id = identifiers.permission_set_ids_of(permission_set_arn)
    instance = instance_for(caller, instance_arn, action, permission_set_arn)
    rows = PermissionSet.objects.filter(instance=instance, ps_id=ps_id)
    found = (rows.select_for_update() if lock else rows).first() if owner == instance.id else None
    if found is None:
        raise ResourceNotFoundException("Could not find PermissionSet with id " + ps_id)
    return found


def page(queryset: QuerySet, *, key: str, next_token: str | None,
         max_results: int | None) -> tuple[list[Any], str | None]:
    """(items, the next page's token or None): `key` a unique column the rows are ordered by."""
    limit = max_results or DEFAULT_MAX_RESULTS
    try:
        after = decode_marker(next_token)
    except ValidationError:
        raise ValidationException("The NextToken is not valid.") from None
    if after is not None and "\x00" in after:
        raise ValidationException("The NextToken is not valid.")
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_marker(str(getattr(rows[-1], key))) if more and rows else None
