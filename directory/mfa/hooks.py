"""Plugging MFA devices into DeleteUser, the credential report and the dashboard (sts plugs them into AssumeRole)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from directory.models import MFADevice, User


def user_mfa_devices(user: User) -> Iterable[str]:
    return MFADevice.objects.filter(user=user, confirmed=True).order_by("id").values_list("serial_number", flat=True)


def users_without_mfa(account_id: str) -> QuerySet[User]:
    enabled = MFADevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.iam_users(account_id).filter(~Exists(enabled))


def register() -> None:
    from directory.reports import generation
    from directory.services import dashboard, users

    # DeleteUser refuses while an enabled device remains, as in AWS; pending ones go with the user.
    users.DEPENDENT_FINDERS["mfa_devices"] = user_mfa_devices
    generation.register_mfa_source(f"SELECT user_id FROM {MFADevice._meta.db_table} WHERE confirmed")  # noqa: S608
    if users_without_mfa not in dashboard.USERS_WITHOUT_MFA:
        dashboard.USERS_WITHOUT_MFA.append(users_without_mfa)
