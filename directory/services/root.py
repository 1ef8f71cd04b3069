"""Bootstrap of the management account and its root user: the owner who may do everything, used for set-up and
break-glass."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.bootstrap import ensure_management_account
from accounts.selectors import management_account
from audit.services import record_event
from directory.credentials import derive_secret_access_key, new_secret_nonce
from directory.models import AccessKey, User
from directory.passwords import check_password_against_policy, effective_policy, generate_password
from directory.services.login_profiles import _set_password
from iam_console import identifiers
from iam_console.errors import EntityAlreadyExists
from iam_console.validation import USER_NAME_MAX, validate_name
from policies.authorization import Caller


@dataclass(frozen=True)
class RootCredentials:
    """What the bootstrap prints once: nothing here is stored in plaintext."""

    user_name: str
    password: str | None
    access_key_id: str | None = None
    secret_access_key: str | None = None


def root_user() -> User | None:
    """The management account's root user (None before the directory is bootstrapped)."""
    account = management_account()
    return User.objects.root_of(account.pk) if account is not None else None


@transaction.atomic
def bootstrap_root_user(*, user_name: str, password: str | None = None,
                        with_access_key: bool = False) -> RootCredentials:
    """Create the management account's root user with a given or generated password, and optionally an access
    key. On a fresh directory this first creates the management account itself (accounts.bootstrap)."""
    validate_name(user_name, field="userName", max_length=USER_NAME_MAX)
    account = ensure_management_account()
    if User.objects.root_of(account.pk) is not None:
        raise EntityAlreadyExists("The root user already exists; sign in with its password, or reset it with "
                                  "`manage.py bootstrap_root --reset-password`.")
    if User.objects.filter(account_id=account.pk, user_name_key=user_name.lower()).exists():
        raise EntityAlreadyExists(f"User with name {user_name} already exists.")
    user = User(account_id=account.pk, user_name=user_name, is_superuser=True,
                user_id=identifiers.new_unique_id(identifiers.USER_ID_PREFIX))
    policy = effective_policy(account.pk)
    chosen = password or generate_password(policy)
    check_password_against_policy(chosen, user=user, policy=policy)
    user.save()
    _set_password(user, chosen)
    user.login_profile_create_date = timezone.now()
    user.save()
    credentials = RootCredentials(user_name=user.user_name, password=chosen)
    if with_access_key:
        key = AccessKey.objects.create(user=user, access_key_id=identifiers.new_access_key_id(),
                                       secret_nonce=new_secret_nonce())
        credentials = RootCredentials(user_name=user.user_name, password=chosen, access_key_id=key.access_key_id,
                                      secret_access_key=derive_secret_access_key(key.access_key_id,
                                                                                 key.secret_nonce))
    record_event(caller=Caller.system(account.pk), event_name="CreateRootUser", request_parameters={
        "user_name": user.user_name, "with_access_key": with_access_key}, resources=[user.arn])
    return credentials


@transaction.atomic
def reset_root_password(*, password: str | None = None) -> RootCredentials:
    """Break-glass: give the management account's root user a new password (generated unless given) and lift any
    lockout."""
    account = management_account()
    user = User.objects.select_for_update().filter(account_id=account.pk, is_superuser=True).first() \
        if account is not None else None
    if user is None:
        raise EntityAlreadyExists("There is no root user yet: run `manage.py bootstrap_root` first.")
    policy = effective_policy(user.account_id)
    chosen = password or generate_password(policy)
    check_password_against_policy(chosen, user=user, policy=policy)
    _set_password(user, chosen)
    user.locked_until = None
    user.save()
    record_event(caller=Caller.system(user.account_id), event_name="ResetRootPassword", resources=[user.arn])
    return RootCredentials(user_name=user.user_name, password=chosen)
