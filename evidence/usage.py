"""The actions principals of some accounts were allowed since a moment, read from the last-accessed aggregates:
installed in the frame (iam_console.decision_record) for readers that have authorized their caller themselves,
such as the organization's preview of what an SCP would take away."""

from __future__ import annotations

from datetime import datetime

from evidence.models import ActionUsage

MAX_ROWS = 5000  # a preview's bound: the most recent uses


def allowed_uses(account_ids: list[str], since: datetime) -> list[tuple[str, str, str, datetime]]:
    rows = (ActionUsage.objects.filter(account_id__in=account_ids, allowed=True, last_at__gte=since)
            .order_by("-last_at").values_list("account_id", "last_principal_arn", "service", "action", "last_at"))
    return [(account, principal, f"{service}:{action}", last) for account, principal, service, action, last
            in rows[:MAX_ROWS]]
