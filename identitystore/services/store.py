"""Finding the identity store a request names, ids as AWS forms them, and NextToken pages."""

from __future__ import annotations

import re
import secrets
import uuid

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts.selectors import management_account_id
from iam_console.errors import ValidationError
from iam_console.pagination import Page, keyset_page
from identitystore.errors import Invalid, ResourceNotFound
from identitystore.models import IdentityStore
from policies.authorization import Caller, authorize_caller, authorize_unknown

# An id, or (as botocore's current model allows) the ARN that ends in it.
STORE_ID = re.compile(r"(?:arn:aws[a-z-]*:identitystore::\d{12}:identitystore/)?(d-[0-9a-f]{10})")
RESOURCE_ID = re.compile(r"(?:arn:aws[a-z-]*:identitystore:::(?:user|group|membership)/)?"
                         r"((?:[0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12})")
MAX_RESULTS = 100


def store_arn(account_id: str, store_id: str) -> str:
    return f"arn:aws:identitystore::{account_id}:identitystore/{store_id}"


def identity_store_of(account_id: str | None) -> IdentityStore | None:
    """The organization's identity store, made on first use; it exists in the management account only."""
    if not account_id:
        return None
    store = IdentityStore.objects.filter(account_id=account_id, account__is_management=True).first()
    if store is not None or account_id != management_account_id():
        return store
    try:
        with transaction.atomic():
            return IdentityStore.objects.create(id=f"d-{secrets.token_hex(5)}", account_id=account_id)
    except IntegrityError:  # made meanwhile by another request
        return IdentityStore.objects.get(account_id=account_id)


def store_for(caller: Caller, identity_store_id: object, action: str) -> IdentityStore:
    """The store the request names, if it is the caller's account's, after authorizing `action` on it."""
    matched = STORE_ID.fullmatch(identity_store_id) if isinstance(identity_store_id, str) else None
    if matched is None:
        raise Invalid("IdentityStoreId is not valid: it has the form d-1234567890.")
    identity_store_id = matched.group(1)
    # A SCIM token's principal brings its store, read with the token (a foreign key: it exists).
    store = getattr(caller.principal, "identity_store", None) or identity_store_of(caller.account_id)
    if store is None or store.id != identity_store_id:
        authorize_unknown(store_arn(caller.account_id, identity_store_id))
        raise ResourceNotFound("IDENTITY_STORE", identity_store_id, "Identity store not found.")
    authorize_caller(caller, action, store.arn)
    return store


def resource_id(value: object, field: str) -> str:
    matched = RESOURCE_ID.fullmatch(value) if isinstance(value, str) else None
    if matched is None:
        raise Invalid(f"{field} is not a valid identifier.")
    return matched.group(1)


def new_resource_id(store: IdentityStore) -> str:
    """`<the store's 10 hex digits>-<a random UUID>`, as AWS forms user, group and membership ids."""
    return f"{store.id[2:]}-{uuid.uuid4()}"


def page(queryset: QuerySet, *, key: str, next_token: str | None, max_results: object) -> Page:
    if max_results is not None and (not isinstance(max_results, int) or isinstance(max_results, bool)
                                    or not 1 <= max_results <= MAX_RESULTS):
        raise Invalid(f"MaxResults must be from 1 to {MAX_RESULTS}.")
    try:
        return keyset_page(queryset, key=key, marker=next_token, max_items=max_results or MAX_RESULTS)
    except ValidationError:
        raise Invalid("NextToken is not valid: pass back the NextToken of the previous page unchanged.") from None
