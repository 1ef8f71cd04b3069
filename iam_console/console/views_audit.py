"""The audit event viewer: filters, newest first, each event expandable to its full record."""

from __future__ import annotations

import json
from datetime import UTC

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit.console_queries import lookup_events
from audit.models import AuditEvent
from iam_console.console.forms import AuditFilterForm
from iam_console.console.mixins import ConsoleView
from iam_console.errors import ValidationError

PAGE_SIZE = 50


def event_record(event: AuditEvent) -> str:
    """The event as a CloudTrail-shaped JSON record, for the expandable view."""
    return json.dumps({
        "eventVersion": "1.08",
        "eventID": str(event.event_id),
        "eventTime": event.event_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.event_source,
        "eventName": event.event_name,
        "userIdentity": {"arn": event.actor_arn, "principalId": event.actor_user_id,
                         "accessKeyId": event.access_key_id or None},
        "sourceIPAddress": event.source_ip,
        "userAgent": event.user_agent,
        "via": event.via,
        "requestID": event.request_id,
        "requestParameters": event.request_parameters,
        "responseElements": event.response_elements,
        "resources": event.resources,
        "errorCode": event.error_code or None,
        "errorMessage": event.error_message or None,
    }, indent=2, sort_keys=False)


def annotate(events: list[AuditEvent]) -> list[AuditEvent]:
    for event in events:
        event.record_json = event_record(event)
    return events


def _utc(value):
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


class AuditView(ConsoleView):
    nav = "audit"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        error = None
        try:
            page = lookup_events(caller=self.caller, start_time=_utc(filters.get("start")),
                                 end_time=_utc(filters.get("end")), actor=filters.get("actor", ""),
                                 event_name=filters.get("event_name", ""), outcome=filters.get("outcome", ""),
                                 marker=request.GET.get("marker") or None, max_items=PAGE_SIZE)
        except ValidationError as invalid:
            page, error = None, invalid
        query = request.GET.copy()
        query.pop("marker", None)
        return self.render("console/audit.html", {
            "form": form, "events": annotate(page.items) if page else [], "next_marker": page.next_marker if page else None,
            "query": query.urlencode(), "error": error,
        })
