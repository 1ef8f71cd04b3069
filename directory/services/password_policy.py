"""Account password policy operations: Get/Update/DeleteAccountPasswordPolicy."""

from __future__ import annotations

from directory.models import PasswordPolicy
from iam_console.errors import NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

_ACCOUNT = "*"  # the password policy is an account-wide setting with no ARN of its own, as in AWS


def _bounded(name: str, value: object, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return value


def _flag(name: str, value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationError(f"{name} must be true or false, not {value!r}")
    return value


@iam_operation("GetAccountPasswordPolicy")
def get_account_password_policy(*, caller: Caller) -> PasswordPolicy:
    authorize_caller(caller, "iam:GetAccountPasswordPolicy", _ACCOUNT)
    policy = PasswordPolicy.objects.filter(account_id=caller.account_id).first()
    if policy is None:
        raise NoSuchEntity(f"The Password Policy with domain name {caller.account_id} cannot be found.")
    return policy


@iam_operation("GetAccountPasswordPolicy")
def read_account_password_policy(*, caller: Caller) -> PasswordPolicy | None:
    """The account's policy, or None while the default rules apply.

    For pages that show the rules in force, where "no policy set" is the normal state of a new account and not
    a failed request: it authorizes exactly as GetAccountPasswordPolicy does, but has no NoSuchEntity to raise
    (and so to record as a failure). The APIs keep AWS's NoSuchEntity through get_account_password_policy.
    """
    authorize_caller(caller, "iam:GetAccountPasswordPolicy", _ACCOUNT)
    return PasswordPolicy.objects.filter(account_id=caller.account_id).first()


@iam_operation("UpdateAccountPasswordPolicy")
def update_account_password_policy(
    *,
    caller: Caller,
    minimum_password_length: int | None = None,
    require_symbols: bool | None = None,
    require_numbers: bool | None = None,
    require_uppercase_characters: bool | None = None,
    require_lowercase_characters: bool | None = None,
    allow_users_to_change_password: bool | None = None,
    max_password_age: int | None = None,
    password_reuse_prevention: int | None = None,
    hard_expiry: bool | None = None,
) -> PasswordPolicy:
    """Set the whole policy. As in AWS, a parameter left out takes its default, not its previous value."""
    authorize_caller(caller, "iam:UpdateAccountPasswordPolicy", _ACCOUNT)
    values = {
        "minimum_password_length": _bounded("minimum_password_length", minimum_password_length, 6, 128) or 6,
        "require_symbols": _flag("require_symbols", require_symbols),
        "require_numbers": _flag("require_numbers", require_numbers),
        "require_uppercase_characters": _flag("require_uppercase_characters", require_uppercase_characters),
        "require_lowercase_characters": _flag("require_lowercase_characters", require_lowercase_characters),
        "allow_users_to_change_password": _flag("allow_users_to_change_password", allow_users_to_change_password),
        "max_password_age": _bounded("max_password_age", max_password_age, 1, 1095),
        "password_reuse_prevention": _bounded("password_reuse_prevention", password_reuse_prevention, 1, 24),
        "hard_expiry": _flag("hard_expiry", hard_expiry),
    }
    policy, _ = PasswordPolicy.objects.update_or_create(account_id=caller.account_id, defaults=values)
    return policy


@iam_operation("DeleteAccountPasswordPolicy")
def delete_account_password_policy(*, caller: Caller) -> None:
    authorize_caller(caller, "iam:DeleteAccountPasswordPolicy", _ACCOUNT)
    deleted, _ = PasswordPolicy.objects.filter(account_id=caller.account_id).delete()
    if not deleted:
        raise NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")  # AWS's words
