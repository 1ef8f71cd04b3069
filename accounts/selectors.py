"""Finding accounts: the management account, an account by id or alias, and fresh account ids."""

from __future__ import annotations

import re
import secrets

from accounts.models import Account

ACCOUNT_ID = re.compile(r"[0-9]{12}")


def management_account() -> Account | None:
    """The organization's management account (None only before a fresh directory bootstraps its first account)."""
    return Account.objects.filter(is_management=True).first()


def management_account_id() -> str | None:
    return Account.objects.filter(is_management=True).values_list("id", flat=True).first()


def is_management_account(account_id: str) -> bool:
    return Account.objects.filter(pk=account_id, is_management=True).exists()


def account_by_id(account_id: object) -> Account | None:
    if not isinstance(account_id, str) or not ACCOUNT_ID.fullmatch(account_id):
        return None
    return Account.objects.filter(pk=account_id).first()


def account_by_id_or_alias(text: object) -> Account | None:
    """The account a person names on a sign-in page or in Switch role: its 12-digit id or its alias."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if ACCOUNT_ID.fullmatch(text):
        return Account.objects.filter(pk=text).first()
    if not text or len(text) > 63:
        return None
    return Account.objects.filter(alias=text.lower()).first()


def account_exists(account_id: str) -> bool:
    return Account.objects.filter(pk=account_id).exists()


def existing_account_ids(account_ids: set[str]) -> set[str]:
    """Which of these 12-digit ids are accounts of this directory (one query)."""
    if not account_ids:
        return set()
    return set(Account.objects.filter(pk__in=account_ids).values_list("id", flat=True))


def new_account_id() -> str:
    """A random 12-digit id no account holds yet (the caller's insert still meets the primary key)."""
    while True:
        candidate = f"{secrets.randbelow(10**12):012d}"
        if not Account.objects.filter(pk=candidate).exists():
            return candidate
