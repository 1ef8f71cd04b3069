"""Account summary for the console dashboard: counts and the credentials that want attention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from directory.models import AccessKey, Group, MFADevice, Role, User
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

OLD_KEY_DAYS = 90
ATTENTION_LIMIT = 10


def _users_without_mfa(account_id: str) -> QuerySet[User]:
    # Until MFA devices exist every user lacks one; the MFA feature replaces this through USERS_WITHOUT_MFA.
    return User.objects.iam_users(account_id)


# A hook: the MFA feature sets this to a function returning an account's IAM users that have no MFA device.
USERS_WITHOUT_MFA: list[Callable[[str], QuerySet[User]]] = [_users_without_mfa]


@dataclass(frozen=True)
class AccountSummary:
    account_id: str
    users: int
    groups: int
    access_keys: int
    active_access_keys: int
    users_without_mfa: int
    old_access_keys: list[AccessKey] = field(default_factory=list)
    old_access_key_count: int = 0
    passwords_never_used: list[User] = field(default_factory=list)
    passwords_never_used_count: int = 0

    def account_totals(self) -> dict:
        """AWS's GetAccountSummary counts beyond the dashboard's (queried only when asked for): roles, customer
        managed policies and their versions, MFA devices, and what the root user holds."""
        from policies.models import ManagedPolicy, PolicyVersion

        account = self.account_id
        devices = MFADevice.objects.filter(user__account_id=account)
        root = User.objects.filter(account_id=account, is_superuser=True)
        return {
            "roles": Role.objects.filter(account_id=account).count(),
            "policies": ManagedPolicy.objects.filter(account_id=account).count(),
            "policy_versions_in_use": PolicyVersion.objects.filter(policy__account_id=account).count(),
            "mfa_devices": devices.count(),
            "mfa_devices_in_use": devices.filter(confirmed=True).count(),
            "account_mfa_enabled": devices.filter(user__is_superuser=True, confirmed=True).exists(),
            "account_access_keys_present": AccessKey.objects.filter(user__account_id=account,
                                                                    user__is_superuser=True).exists(),
            "account_password_present": root.exclude(password__startswith="!").exists(),  # "!": unusable
        }


@iam_operation("GetAccountSummary")
def get_account_summary(*, caller: Caller) -> AccountSummary:
    authorize_caller(caller, "iam:GetAccountSummary", "*")
    account = caller.account_id
    iam_keys = AccessKey.objects.filter(user__account_id=account, user__is_superuser=False)
    cutoff = timezone.now() - timedelta(days=OLD_KEY_DAYS)
    old_keys = iam_keys.filter(create_date__lt=cutoff, status=AccessKey.Status.ACTIVE)
    users = User.objects.iam_users(account)
    never_used = users.filter(login_profile_create_date__isnull=False, last_login__isnull=True)
    return AccountSummary(
        account_id=account,
        users=users.count(),
        groups=Group.objects.filter(account_id=account).count(),
        access_keys=iam_keys.count(),
        active_access_keys=iam_keys.filter(status=AccessKey.Status.ACTIVE).count(),
        users_without_mfa=USERS_WITHOUT_MFA[-1](account).count(),
        old_access_keys=list(old_keys.select_related("user").order_by("create_date")[:ATTENTION_LIMIT]),
        old_access_key_count=old_keys.count(),
        passwords_never_used=list(never_used.order_by("login_profile_create_date")[:ATTENTION_LIMIT]),
        passwords_never_used_count=never_used.count(),
    )

