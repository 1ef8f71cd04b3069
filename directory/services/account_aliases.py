"""The account alias: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases (the alias is Account.alias)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from accounts.models import Account
from iam_console.errors import EntityAlreadyExists, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

_ACCOUNT = "*"  # account-wide settings have no ARN of their own, as in AWS
# AWS's rule: 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, no "--".
_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]")


def _already_exists(alias: str) -> EntityAlreadyExists:
    return EntityAlreadyExists(f"The account alias {alias} already exists.")


@iam_operation("CreateAccountAlias")
def create_account_alias(*, caller: Caller, account_alias: str) -> str:
    """Set the caller's account's alias; an account has one at most, so a new alias replaces the old one, as in
    AWS. Aliases name sign-in pages, so they are unique across the directory."""
    authorize_caller(caller, "iam:CreateAccountAlias", _ACCOUNT)
    if not isinstance(account_alias, str) or not _ALIAS.fullmatch(account_alias) or account_alias.isdigit():
        raise ValidationError(f"The specified value for accountAlias is invalid: {str(account_alias)[:80]}. It "
                              "must be 3 to 63 lower-case letters, digits and single hyphens, not only digits, "
                              "and must begin and end with a letter or digit.")
    account = Account.objects.select_for_update().get(pk=caller.account_id)
    if account.alias == account_alias or Account.objects.filter(alias=account_alias).exists():
        raise _already_exists(account_alias)
    try:
        with transaction.atomic():
            Account.objects.filter(pk=account.pk).update(alias=account_alias)
    except IntegrityError:  # another account took it at the same moment
        raise _already_exists(account_alias) from None
    return account_alias


@iam_operation("DeleteAccountAlias")
def delete_account_alias(*, caller: Caller, account_alias: str) -> None:
    authorize_caller(caller, "iam:DeleteAccountAlias", _ACCOUNT)
    updated = Account.objects.filter(pk=caller.account_id, alias=account_alias).update(alias=None)
    if not updated:
        raise NoSuchEntity(f"The account alias {account_alias} cannot be found.")


@iam_operation("ListAccountAliases")
def list_account_aliases(*, caller: Caller) -> list[str]:
    authorize_caller(caller, "iam:ListAccountAliases", _ACCOUNT)
    return list(Account.objects.filter(pk=caller.account_id, alias__isnull=False).values_list("alias", flat=True))
