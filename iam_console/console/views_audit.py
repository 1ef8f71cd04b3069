"""The audit event viewer: filters, newest first, each event expandable to its full record."""

from __future__ import annotations

import json
from datetime import UTC

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audit.console_queries import get_event, lookup_events
from audit.models import AuditEvent
from iam_console.console.exports import CSV_MAX, csv_response
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


# Which request parameter names an event's target, most specific first, and the page that shows it.
TARGET_PARAMETERS = [("policy_arn", "Policy", "console:policy-detail"), ("role_name", "Role", "console:role-detail"),
                     ("group_name", "Group", "console:group-detail"), ("user_name", "User", "console:user-detail"),
                     ("serial_number", "MFA device", None), ("access_key_id", "Access key", None),
                     ("policy_name", "Policy", None)]
# The request parameter that names each kind of resource, by the kind in its ARN.
ARN_PARAMETERS = {"user": "user_name", "group": "group_name", "role": "role_name", "policy": "policy_arn"}


def target_of(event: AuditEvent) -> dict | None:
    """The resource an event is about, from its parameters (or its resources), with a link when there is a page."""
    parameters = event.request_parameters if isinstance(event.request_parameters, dict) else {}
    for key, kind, url_name in TARGET_PARAMETERS:
        value = parameters.get(key)
        if isinstance(value, str) and value:
            url = None
            if url_name:
                try:
                    url = reverse(url_name, args=[value])
                except NoReverseMatch:
                    url = None
            return {"kind": kind, "name": value, "url": url}
    if event.resources:
        return {"kind": "Resource", "name": str(event.resources[0]), "url": None}
    return None


def annotate(events: list[AuditEvent]) -> list[AuditEvent]:
    for event in events:
        event.record_json = event_record(event)
        event.target = target_of(event)
    return events


def resource_filter(arn: str) -> tuple[str, tuple[str, str] | None]:
    """The filter for "events about this resource": its ARN, and the request parameter that names it."""
    arn = arn.strip()[:2048]
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind, _, rest = resource.partition("/")
    key = ARN_PARAMETERS.get(kind)
    if key is None or not rest:
        return arn, None
    return arn, (key, arn if key == "policy_arn" else rest.rsplit("/", 1)[-1])


def _utc(value):
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


class AuditView(ConsoleView):
    nav = "audit"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        resource_arn, parameter = resource_filter(filters.get("resource", "")) if filters.get("resource") else ("", None)
        export = request.GET.get("format") == "csv"
        error = None
        try:
            page = lookup_events(caller=self.caller, start_time=_utc(filters.get("start")),
                                 end_time=_utc(filters.get("end")), actor=filters.get("actor", ""),
                                 event_name=filters.get("event_name", ""), outcome=filters.get("outcome", ""),
                                 resource_arn=resource_arn, resource_parameter=parameter,
                                 marker=request.GET.get("marker") or None,
                                 max_items=CSV_MAX if export else PAGE_SIZE)
        except ValidationError as invalid:
            page, error = None, invalid
        events = annotate(page.items) if page else []
        if export:
            return csv_response("audit-events", ["Time (UTC)", "Event", "Outcome", "Actor", "Target", "Error"], (
                [event.event_time.strftime("%Y-%m-%dT%H:%M:%SZ"), event.event_name, event.outcome, event.actor_arn,
                 f"{event.target['kind']} {event.target['name']}" if event.target else "", event.error_code]
                for event in events))
        query = request.GET.copy()
        query.pop("marker", None)
        return self.render("console/audit.html", {
            "form": form, "events": events, "next_marker": page.next_marker if page else None,
            "query": query.urlencode(), "error": error, "resource": filters.get("resource", ""),
        })


class AuditEventView(ConsoleView):
    """One event: who, what, on which resource, from where, and its full record."""

    nav = "audit"

    def get(self, request: HttpRequest, event_id: str) -> HttpResponse:
        (event,) = annotate([get_event(caller=self.caller, event_id=event_id)])
        return self.render("console/audit_event.html", {"event": event})
