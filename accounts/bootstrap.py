"""The first account of a fresh directory: the management account, named by IAM_ACCOUNT_ID.

This is the only place that setting is read once the directory runs (the upgrade migration read it once too):
every request's account comes from its caller.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import Account
from accounts.selectors import management_account


def placeholder_email(account_id: str) -> str:
    """An address that marks itself as a placeholder (the .invalid domain never delivers)."""
    return f"{account_id}@accounts.invalid"


def ensure_management_account() -> Account:
    """The management account, created from IAM_ACCOUNT_ID, IAM_ACCOUNT_NAME and IAM_ACCOUNT_EMAIL when the
    directory has none yet (its first start)."""
    existing = management_account()
    if existing is not None:
        return existing
    account_id = settings.IAM_ACCOUNT_ID
    try:
        with transaction.atomic():
            return Account.objects.create(
                id=account_id, name=settings.IAM_ACCOUNT_NAME or "Management account",
                email=settings.IAM_ACCOUNT_EMAIL or placeholder_email(account_id), is_management=True)
    except IntegrityError:  # another process bootstrapped it at the same moment
        found = management_account()
        if found is None:
            raise
        return found
