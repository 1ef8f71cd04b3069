"""Console passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile, ChangePassword."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from directory import lookups
from directory.models import PasswordHistory, User
from directory.passwords import check_password_against_policy, effective_policy
from directory.services.sign_in import WRONG_OLD_PASSWORD, check_password_guess, wrong_password_guess
from iam_console.errors import AccessDenied, EntityAlreadyExists, InvalidInput, NoSuchEntity
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

PASSWORD_HISTORY_KEPT = 24  # AWS's maximum PasswordReusePrevention


def _set_password(user: User, password: str) -> None:
    """Hash (Argon2id), remember the hash for reuse prevention, and mark the change time."""
    encoded = make_password(password)
    user.password = encoded
    user.password_last_changed = timezone.now()
    PasswordHistory.objects.create(user=user, password_hash=encoded)
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[PASSWORD_HISTORY_KEPT:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


@iam_operation("CreateLoginProfile")
def create_login_profile(*, caller: Caller, user_name: str, password: str,
                         password_reset_required: bool = False) -> User:
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:CreateLoginProfile", user.arn)
    if user.has_login_profile:
        raise EntityAlreadyExists(f"Login Profile for user {user.user_name} already exists.")
    check_password_against_policy(password, user=user, policy=effective_policy(user.account_id))
    _set_password(user, password)
    user.login_profile_create_date = timezone.now()
    user.password_reset_required = bool(password_reset_required)
    user.save(update_fields=["password", "password_last_changed", "login_profile_create_date",
                             "password_reset_required"])
    return user


@iam_operation("GetLoginProfile")
def get_login_profile(*, caller: Caller, user_name: str | None = None) -> User:
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, "iam:GetLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    return user


@iam_operation("UpdateLoginProfile")
def update_login_profile(*, caller: Caller, user_name: str, password: str | None = None,
                         password_reset_required: bool | None = None) -> User:
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:UpdateLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    fields = []
    if password is not None:
        check_password_against_policy(password, user=user, policy=effective_policy(user.account_id))
        _set_password(user, password)
        user.locked_until = None  # an administrator's reset also lifts a sign-in lockout
        fields += ["password", "password_last_changed", "locked_until"]
    if password_reset_required is not None:
        user.password_reset_required = bool(password_reset_required)
        fields.append("password_reset_required")
    if fields:
        user.save(update_fields=fields)
    return user


@iam_operation("DeleteLoginProfile")
def delete_login_profile(*, caller: Caller, user_name: str) -> None:
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:DeleteLoginProfile", user.arn)
    if not user.has_login_profile:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    user.set_unusable_password()
    user.login_profile_create_date = None
    user.password_reset_required = False
    user.save(update_fields=["password", "login_profile_create_date", "password_reset_required"])


@iam_operation("ChangePassword", needs_permission=False)
def change_password(*, caller: Caller, old_password: str, new_password: str) -> User:
    principal = caller.principal
    if not isinstance(principal, User):
        raise InvalidInput("Only an IAM user can change its own password; a role session has no password.")
    user = User.objects.select_for_update().get(pk=principal.pk, account_id=caller.account_id)
    policy = effective_policy(user.account_id)
    # AllowUsersToChangePassword grants every user ChangePassword on itself; otherwise a policy must.
    if not (policy.allow_users_to_change_password and not user.is_root):
        authorize_caller(caller, "iam:ChangePassword", user.arn)
    if not user.has_login_profile and not user.is_root:
        raise NoSuchEntity(f"Login Profile for User {user.user_name} cannot be found.")
    expires = policy.expires_at(user.password_last_changed)
    if policy.hard_expiry and expires is not None and expires <= timezone.now():
        raise AccessDenied("Your password has expired and the account's password policy (HardExpiry) does not let "
                           "you change it: ask an administrator to reset it.")
    check_password_guess(caller, user)
    if not user.check_password(old_password):
        wrong_password_guess(caller)
        raise InvalidInput(WRONG_OLD_PASSWORD)
    check_password_against_policy(new_password, user=user, policy=policy)
    _set_password(user, new_password)
    user.password_reset_required = False
    user.save(update_fields=["password", "password_last_changed", "password_reset_required"])
    return user
