"""Reading the audit trail: LookupEvents with filters and a keyset cursor on (event_time, id), newest first."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from audit.models import AuditEvent
from audit.services import record_event
from iam_console.access import authorize_caller
from iam_console.callers import Caller
from iam_console.errors import AccessDenied, ValidationError
from iam_console.pagination import Page, clean_max_items, decode_marker, encode_marker

EVENT_SOURCE = "cloudtrail.amazonaws.com"


def _cursor(marker: str | None) -> tuple[datetime, int] | None:
    value = decode_marker(marker)
    if value is None:
        return None
    try:
        when, _, pk = value.partition("|")
        return datetime.fromisoformat(when), int(pk)
    except ValueError:
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged") from None


def list_audit_events(*, caller: Caller, start_time: datetime | None = None, end_time: datetime | None = None,
                      actor: str | None = None, event_name: str | None = None, outcome: str | None = None,
                      marker: str | None = None, max_items: int | None = None) -> Page[AuditEvent]:
    """LookupEvents: authorized as cloudtrail:LookupEvents on *; a refusal is itself on record."""
    try:
        authorize_caller(caller, "cloudtrail:LookupEvents", "*")
    except AccessDenied as denied:
        record_event(caller=caller, event_name="LookupEvents", event_source=EVENT_SOURCE,
                     error_code=denied.code, error_message=denied.message)
        raise
    if start_time and end_time and start_time > end_time:
        raise ValidationError("start_time must not be after end_time")
    limit = clean_max_items(max_items)
    queryset = AuditEvent.objects.filter(account_id=caller.account_id)  # each account reads its own trail
    if start_time:
        queryset = queryset.filter(event_time__gte=start_time)
    if end_time:
        queryset = queryset.filter(event_time__lte=end_time)
    if actor:
        queryset = queryset.filter(actor_arn=actor)
    if event_name:
        queryset = queryset.filter(event_name=event_name)
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    cursor = _cursor(marker)
    if cursor is not None:
        when, pk = cursor
        queryset = queryset.filter(Q(event_time__lt=when) | Q(event_time=when, id__lt=pk))
    rows = list(queryset.order_by("-event_time", "-id")[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    next_marker = encode_marker(f"{rows[-1].event_time.isoformat()}|{rows[-1].pk}") if truncated else None
    return Page(items=rows, is_truncated=truncated, marker=next_marker)
