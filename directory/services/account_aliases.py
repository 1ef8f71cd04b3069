"""The account alias: CreateAccountAlias, DeleteAccountAlias, ListAccountAliases."""

from __future__ import annotations

import re

from directory.models import AccountAlias
from iam_console.errors import EntityAlreadyExists, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

_ACCOUNT = "*"  # account-wide settings have no ARN of their own, as in AWS
# AWS's rule: 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, no "--".
_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]")


@iam_operation("CreateAccountAlias")
def create_account_alias(*, caller: Caller, account_alias: str) -> AccountAlias:
    """Set the alias; an account has one at most, so a new alias replaces the old one, as in AWS."""
    authorize_caller(caller, "iam:CreateAccountAlias", _ACCOUNT)
    if not isinstance(account_alias, str) or not _ALIAS.fullmatch(account_alias) or account_alias.isdigit():
        raise ValidationError(f"The specified value for accountAlias is invalid: {str(account_alias)[:80]}. It "
                              "must be 3 to 63 lower-case letters, digits and single hyphens, not only digits, "
                              "and must begin and end with a letter or digit.")
    current = AccountAlias.objects.select_for_update().filter(singleton=True).first()
    if current is not None and current.alias == account_alias:
        raise EntityAlreadyExists(f"The account alias {account_alias} already exists.")
    alias, _ = AccountAlias.objects.update_or_create(singleton=True, defaults={"alias": account_alias})
    return alias


@iam_operation("DeleteAccountAlias")
def delete_account_alias(*, caller: Caller, account_alias: str) -> None:
    authorize_caller(caller, "iam:DeleteAccountAlias", _ACCOUNT)
    deleted, _ = AccountAlias.objects.filter(alias=account_alias).delete()
    if not deleted:
        raise NoSuchEntity(f"The account alias {account_alias} cannot be found.")


@iam_operation("ListAccountAliases")
def list_account_aliases(*, caller: Caller) -> list[str]:
    authorize_caller(caller, "iam:ListAccountAliases", _ACCOUNT)
    return list(AccountAlias.objects.values_list("alias", flat=True))
