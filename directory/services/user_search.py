"""Console reads of users, groups and roles: search by name, sort, keyset pages, with per-row counts in one query."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from directory.models import AccessKey, Group, GroupMembership, MFADevice, Role, User
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.pagination import clean_max_items
from iam_console.validation import validate_path_prefix
from policies.authorization import Caller, authorize_caller

SORTS = ("name", "-name", "created", "-created")


def _order(sort: str, key: str) -> tuple[str, ...]:
    """The ORDER BY of a sort; the unique name key breaks ties so the keyset is exact."""
    sign = "-" if sort.startswith("-") else ""
    return (sign + key,) if sort.endswith("name") else (sign + "create_date", sign + key)


@dataclass(frozen=True)
class SearchPage:
    items: list
    next_marker: str | None


def _count_of(model, field: str, **only) -> Coalesce:
    rows = model.objects.filter(**{field: OuterRef("pk")}, **only).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(marker: str | None, sort: str) -> list | None:
    if not marker:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode((marker + "=" * (-len(marker) % 4)).encode()))
        if not isinstance(values, list) or len(values) != (1 if sort.endswith("name") else 2):
            raise ValueError
        if "created" in sort:
            values[0] = datetime.fromisoformat(values[0])
        return values
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged") from None


def _after(values: list, fields: tuple[str, ...], sort: str) -> Q:
    """Rows strictly after `values` in the sort order (a keyset condition on one or two columns)."""
    op = "lt" if sort.startswith("-") else "gt"
    names = [f.lstrip("-") for f in fields]
    if len(names) == 1:
        return Q(**{f"{names[0]}__{op}": values[0]})
    return Q(**{f"{names[0]}__{op}": values[0]}) | Q(**{names[0]: values[0], f"{names[1]}__{op}": values[1]})


def _page(queryset: QuerySet, *, key: str, sort: str, marker: str | None, max_items: object) -> SearchPage:
    limit = clean_max_items(max_items)
    fields = _order(sort, key)
    after = _decode(marker, sort)
    if after is not None:
        queryset = queryset.filter(_after(after, fields, sort))
    rows = list(queryset.order_by(*fields)[: limit + 1])
    next_marker = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_marker = _encode([getattr(rows[-1], f.lstrip("-")) for f in fields])
    return SearchPage(items=rows, next_marker=next_marker)


def _clean_sort(sort: str) -> str:
    if sort not in SORTS:
        raise ValidationError(f"sort must be one of {', '.join(SORTS)}")
    return sort


@iam_operation("ListUsers")
def search_users(*, caller: Caller, name_contains: str = "", name_prefix: str = "", path_prefix: str = "/",
                 sort: str = "name", marker: str | None = None, max_items: int | None = None) -> SearchPage:
    """ListUsers with a name filter: a prefix uses the name index; `contains` scans names only."""
    prefix = validate_path_prefix(path_prefix)
    sort = _clean_sort(sort)
    authorize_caller(caller, "iam:ListUsers", "*")
    queryset = User.objects.iam_users(caller.account_id).annotate(
        access_key_count=_count_of(AccessKey, "user"), group_count=_count_of(GroupMembership, "user"),
        mfa_device_count=_count_of(MFADevice, "user", confirmed=True))
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    if name_prefix:
        queryset = queryset.filter(user_name_key__startswith=name_prefix.lower())
    if name_contains:
        queryset = queryset.filter(user_name_key__contains=name_contains.lower())
    return _page(queryset, key="user_name_key", sort=sort, marker=marker, max_items=max_items)


@iam_operation("ListGroups")
def search_groups(*, caller: Caller, name_contains: str = "", path_prefix: str = "/", sort: str = "name",
                  marker: str | None = None, max_items: int | None = None) -> SearchPage:
    prefix = validate_path_prefix(path_prefix)
    sort = _clean_sort(sort)
    authorize_caller(caller, "iam:ListGroups", "*")
    queryset = Group.objects.filter(account_id=caller.account_id).annotate(member_count=_count_of(GroupMembership, "group"))
    if prefix != "/":
        queryset = queryset.filter(path__startswith=prefix)
    if name_contains:
        queryset = queryset.filter(group_name_key__contains=name_contains.lower())
    return _page(queryset, key="group_name_key", sort=sort, marker=marker, max_items=max_items)


@iam_operation("ListRoles")
def search_roles(*, caller: Caller, name_contains: str = "", sort: str = "name", marker: str | None = None,
                 max_items: int | None = None) -> SearchPage:
    sort = _clean_sort(sort)
    authorize_caller(caller, "iam:ListRoles", "*")
    queryset = Role.objects.filter(account_id=caller.account_id)
    if name_contains:
        queryset = queryset.filter(role_name_key__contains=name_contains.lower())
    return _page(queryset, key="role_name_key", sort=sort, marker=marker, max_items=max_items)
