"""DescribeIdentityStore and ListIdentityStores: the organization's one identity store, in the management account."""

from __future__ import annotations

from iam_console.operations import iam_operation
from iam_console.pagination import Page
from identitystore.models import IdentityStore
from identitystore.services.store import identity_store_of, page, store_for
from identitystore.services.users import SOURCE
from policies.authorization import Caller, authorize_caller


@iam_operation("DescribeIdentityStore", event_source=SOURCE)
def describe_identity_store(*, caller: Caller, identity_store_id: str) -> IdentityStore:
    return store_for(caller, identity_store_id, "identitystore:DescribeIdentityStore")


@iam_operation("ListIdentityStores", event_source=SOURCE)
def list_identity_stores(*, caller: Caller, next_token: str | None = None, max_results: int | None = None) -> Page:
    """The caller's account's store: only the management account has one."""
    authorize_caller(caller, "identitystore:ListIdentityStores", "*")
    store = identity_store_of(caller.account_id)
    found = IdentityStore.objects.filter(pk=store.pk if store is not None else None)
    return page(found, key="id", next_token=next_token, max_results=max_results)
