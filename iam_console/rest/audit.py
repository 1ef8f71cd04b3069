"""REST API for the audit trail: GET audit-events/ (CloudTrail's LookupEvents)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from audit.models import AuditEvent
from audit.queries import list_audit_events
from iam_console.rest.base import IAMAPIView, errors, page_body, parse
from iam_console.rest.serializers import AWS_DATE_FORMAT, PageQuery


class AuditEventQuery(PageQuery):
    start_time = serializers.DateTimeField(required=False, help_text="Events at or after this time (ISO 8601).")
    end_time = serializers.DateTimeField(required=False, help_text="Events at or before this time (ISO 8601).")
    actor = serializers.CharField(required=False, help_text="The ARN of who acted.")
    event_name = serializers.CharField(required=False, help_text="An operation, e.g. CreateUser.")
    outcome = serializers.ChoiceField(choices=AuditEvent.Outcome.values, required=False)


class AuditEventOut(serializers.Serializer):
    event_id = serializers.UUIDField()
    event_time = serializers.DateTimeField(format=AWS_DATE_FORMAT)
    event_source = serializers.CharField()
    event_name = serializers.CharField()
    actor = serializers.CharField(source="actor_arn")
    actor_user_id = serializers.CharField()
    access_key_id = serializers.CharField()
    source_ip_address = serializers.IPAddressField(source="source_ip", allow_null=True)
    user_agent = serializers.CharField()
    via = serializers.CharField()
    request_id = serializers.CharField()
    request_parameters = serializers.JSONField()
    response_elements = serializers.JSONField()
    resources = serializers.JSONField()
    outcome = serializers.CharField()
    error_code = serializers.CharField()
    error_message = serializers.CharField()


class AuditEventPage(serializers.Serializer):
    events = AuditEventOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class AuditEventListView(IAMAPIView):
    @extend_schema(operation_id="LookupEvents", parameters=[AuditEventQuery],
                   responses={200: AuditEventPage, **errors(400, 401, 403)})
    def get(self, request):
        query = parse(AuditEventQuery, request.query_params)
        page = list_audit_events(
            caller=self.caller(request), start_time=query.get("start_time"), end_time=query.get("end_time"),
            actor=query.get("actor"), event_name=query.get("event_name"), outcome=query.get("outcome"),
            **PageQuery.page_arguments(query))
        return Response(page_body(page, "events", AuditEventOut))
