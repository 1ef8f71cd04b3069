"""Unused access from the evidence: the roles and users of an account that used none of their access in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from directory.models import Role, User
from evidence.models import ActionUsage
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class UnusedSummary:
    """Of the roles and users older than the period, how many had no allowed request in it."""

    days: int
    unused_roles: int
    roles: int
    unused_users: int
    users: int


@iam_operation("GetAccountSummary")
def unused_access_summary(*, caller: Caller, days: int = DEFAULT_DAYS) -> UnusedSummary:
    """The dashboard's unused-access card. An entity younger than the period is not yet unused; a denied attempt is
    not a use of access. Decisions still waiting in Redis (at most a minute's) are not counted yet."""
    authorize_caller(caller, "iam:GetAccountSummary", "*")
    account = caller.account_id
    since = timezone.now() - timedelta(days=days)
    used = ActionUsage.objects.filter(account_id=account, allowed=True, last_at__gte=since).values("entity_id")
    roles = Role.objects.filter(account_id=account, create_date__lt=since)
    users = User.objects.iam_users(account).filter(create_date__lt=since)
    return UnusedSummary(days=days, unused_roles=roles.exclude(role_id__in=used).count(), roles=roles.count(),
                         unused_users=users.exclude(user_id__in=used).count(), users=users.count())
