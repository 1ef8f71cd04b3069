"""Reading audit events for the console (LookupEvents): filters and newest-first keyset pages."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from audit.models import AuditEvent
from audit.services import record_event
from iam_console.access import authorize_caller
from iam_console.callers import Caller
from iam_console.errors import AccessDenied, NoSuchEntity, ValidationError
from iam_console.pagination import clean_max_items


@dataclass(frozen=True)
class EventPage:
    items: list[AuditEvent]
    next_marker: str | None


def _encode(event: AuditEvent) -> str:
    return base64.urlsafe_b64encode(json.dumps([event.event_time.isoformat(), event.pk]).encode()).decode()


def _decode(marker: str) -> tuple[datetime, int]:
    try:
        when, pk = json.loads(base64.urlsafe_b64decode(marker.encode()))
        return datetime.fromisoformat(when), int(pk)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged") from None


def _authorize_lookup(caller: Caller) -> None:
    try:
        authorize_caller(caller, "cloudtrail:LookupEvents", "*")
    except AccessDenied as error:
        # Reads are not recorded (every page view would be), but a refused read is, as for IAM reads.
        record_event(caller=caller, event_name="LookupEvents", event_source="cloudtrail.amazonaws.com",
                     error_code=error.code, error_message=error.message)
        raise


def get_event(*, caller: Caller, event_id: str) -> AuditEvent:
    """One event by its ID, for its detail page (authorized as LookupEvents)."""
    _authorize_lookup(caller)
    # Another account's event is not found, as one that does not exist.
    event = AuditEvent.objects.filter(event_id=event_id, account_id=caller.account_id).first() \
        if _is_uuid(event_id) else None
    if event is None:
        raise NoSuchEntity(f"Audit event {event_id[:64]} cannot be found.")
    return event


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


def lookup_events(*, caller: Caller, start_time: datetime | None = None, end_time: datetime | None = None,
                  actor: str = "", event_name: str = "", outcome: str = "", user_name: str = "",
                  user_arn: str = "", resource_arn: str = "", resource_parameter: tuple[str, str] | None = None,
                  marker: str | None = None, max_items: int | None = None) -> EventPage:
    """Events newest first. `actor` matches the actor's ARN or its trailing name; `user_name`/`user_arn`
    select the events that concern one user (by it, or about it); `resource_arn` and `resource_parameter`
    (such as ("group_name", "devs")) select the events about one resource."""
    _authorize_lookup(caller)
    if outcome and outcome not in AuditEvent.Outcome.values:
        raise ValidationError("outcome must be Success or Failure")
    limit = clean_max_items(max_items)
    events = AuditEvent.objects.filter(account_id=caller.account_id)  # each account reads its own trail
    if start_time:
        events = events.filter(event_time__gte=start_time)
    if end_time:
        events = events.filter(event_time__lte=end_time)
    if actor:
        # A name matches users (".../alice") and the root user ("...:root"); an ARN or unique ID matches exactly.
        events = events.filter(Q(actor_arn=actor) | Q(actor_arn__endswith=f"/{actor}")
                               | Q(actor_arn__endswith=f":{actor}") | Q(actor_user_id=actor))
    if event_name:
        events = events.filter(event_name=event_name)
    if outcome:
        events = events.filter(outcome=outcome)
    if user_arn or user_name:
        about = Q()
        if user_arn:
            about |= Q(actor_arn=user_arn) | Q(resources__contains=[user_arn])
        if user_name:
            about |= Q(request_parameters__user_name=user_name)
        events = events.filter(about)
    if resource_arn or resource_parameter:
        about = Q(resources__contains=[resource_arn]) if resource_arn else Q()
        if resource_parameter:
            key, value = resource_parameter
            about |= Q(**{f"request_parameters__{key}": value})
        events = events.filter(about)
    if marker:
        when, pk = _decode(marker)
        events = events.filter(Q(event_time__lt=when) | Q(event_time=when, pk__lt=pk))
    rows = list(events.order_by("-event_time", "-pk")[: limit + 1])
    if len(rows) > limit:
        rows = rows[:limit]
        return EventPage(items=rows, next_marker=_encode(rows[-1]))
    return EventPage(items=rows, next_marker=None)
