"""The roles a user switched to recently in the console (its "Switch role" menu): the last five."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from directory.models import User
from sts.models import RecentRole

RECENT_ROLES = 5


def remember(user: User, *, account: str, role_name: str, display_name: str, color: str) -> None:
    """Record a switch: the role moves to the top of the user's recent roles and only the last five stay."""
    with transaction.atomic():
        RecentRole.objects.update_or_create(
            user=user, account=account, role_name=role_name,
            defaults={"display_name": display_name, "color": color, "used_at": timezone.now()})
        stale = RecentRole.objects.filter(user=user).values_list("pk", flat=True)[RECENT_ROLES:]
        RecentRole.objects.filter(pk__in=list(stale)).delete()


def recent(user: User) -> list[RecentRole]:
    return list(RecentRole.objects.filter(user=user)[:RECENT_ROLES])
