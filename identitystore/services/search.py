"""Searching the store with a SCIM filter, a page at a time by startIndex and count (RFC 7644 §3.4.2.4):
ListUsers and ListGroups as an identity provider asks them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iam_console.operations import iam_operation
from identitystore.models import WorkforceGroup, WorkforceUser
from identitystore.scim_filters import GROUP_ATTRIBUTES, USER_ATTRIBUTES, condition_for
from identitystore.services.store import store_for
from identitystore.services.users import SOURCE
from policies.authorization import Caller

# The most a page holds (ServiceProviderConfig's filter.maxResults says so); a larger count is cut to it.
MAX_COUNT = 100


@dataclass(frozen=True)
class SearchPage:
    total: int
    start_index: int
    items: list[Any]


def _page(queryset, filter_text: str | None, attributes: dict, start_index: int, count: int | None,
          key: str) -> SearchPage:
    if filter_text is not None:
        condition = condition_for(filter_text, attributes)
        queryset = queryset.filter(condition)
        if "memberships" in str(condition):  # a filter on members joins: one row per group still
            queryset = queryset.distinct()
    start = max(int(start_index), 1)
    size = MAX_COUNT if count is None else min(max(int(count), 0), MAX_COUNT)
    items = list(queryset.order_by(key, "pk")[start - 1:start - 1 + size]) if size else []
    # A first page that is not full holds every match (an IdP's `userName eq` lookup): no second query to count.
    total = len(items) if start == 1 and 0 < len(items) < size else queryset.count()
    return SearchPage(total=total, start_index=start, items=items)


@iam_operation("ListUsers", event_source=SOURCE)
def search_users(*, caller: Caller, identity_store_id: str, filter_text: str | None = None, start_index: int = 1,
                 count: int | None = None) -> SearchPage:
    store = store_for(caller, identity_store_id, "identitystore:ListUsers")
    return _page(WorkforceUser.objects.filter(store=store), filter_text, USER_ATTRIBUTES, start_index, count,
                 "created_at")


@iam_operation("ListGroups", event_source=SOURCE)
def search_groups(*, caller: Caller, identity_store_id: str, filter_text: str | None = None, start_index: int = 1,
                  count: int | None = None) -> SearchPage:
    store = store_for(caller, identity_store_id, "identitystore:ListGroups")
    return _page(WorkforceGroup.objects.filter(store=store), filter_text, GROUP_ATTRIBUTES, start_index, count,
                 "created_at")
