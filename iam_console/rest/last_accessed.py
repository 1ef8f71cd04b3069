"""REST API for last accessed: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails and
GetServiceLastAccessedDetailsWithEntities, as report resources."""

from __future__ import annotations

from datetime import datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from evidence import last_accessed
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, parse


def _errors(**described: str) -> dict:
    return {int(status[1:]): OpenApiResponse(s.ErrorEnvelope, description=text) for status, text in described.items()}


class GenerateRequest(s.StrictSerializer):
    arn = s.Text(help_text="The ARN of the user, group, role or managed policy to report on.")
    granularity = serializers.ChoiceField(choices=["SERVICE_LEVEL", "ACTION_LEVEL"], required=False,
                                          help_text="ACTION_LEVEL adds each action's last access (default "
                                                    "SERVICE_LEVEL).")


class JobOut(serializers.Serializer):
    job_id = serializers.UUIDField()


class TrackedActionOut(serializers.Serializer):
    action_name = serializers.CharField()
    last_accessed_entity = serializers.CharField(required=False)
    last_accessed_time = serializers.DateTimeField(required=False)
    last_accessed_region = serializers.CharField(required=False)


class ServiceOut(serializers.Serializer):
    service_name = serializers.CharField()
    service_namespace = serializers.CharField()
    last_authenticated = serializers.DateTimeField(required=False, help_text="The last attempt, allowed or denied.")
    last_authenticated_entity = serializers.CharField(required=False)
    last_authenticated_region = serializers.CharField(required=False)
    total_authenticated_entities = serializers.IntegerField()
    tracked_actions_last_accessed = TrackedActionOut(many=True, required=False)


class EntityInfoOut(serializers.Serializer):
    arn = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["USER", "ROLE"])
    id = serializers.CharField()
    path = serializers.CharField()


class EntityDetailsOut(serializers.Serializer):
    entity_info = EntityInfoOut()
    last_authenticated = serializers.DateTimeField(required=False)


class JobErrorOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class JobStatusOut(serializers.Serializer):
    job_status = serializers.ChoiceField(choices=["IN_PROGRESS", "COMPLETED", "FAILED"])
    job_type = serializers.ChoiceField(choices=["SERVICE_LEVEL", "ACTION_LEVEL"])
    job_creation_date = s.Date()
    job_completion_date = s.Date(allow_null=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)
    error = JobErrorOut(allow_null=True)


class ServicesPage(JobStatusOut):
    services_last_accessed = ServiceOut(many=True)


class EntitiesPage(JobStatusOut):
    entity_details_list = EntityDetailsOut(many=True)


def snake_case(item: object) -> object:
    """A stored report item (AWS's PascalCase keys) with the REST API's snake_case keys and dates."""
    if isinstance(item, dict):
        return {_snake(key): snake_case(value) for key, value in item.items()}
    if isinstance(item, list):
        return [snake_case(value) for value in item]
    if isinstance(item, datetime):
        return s.aws_date(item)
    return item


def _snake(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() and index else char.lower()
                   for index, char in enumerate(name))


def _status(page: last_accessed.JobPage) -> dict:
    job = page.job
    return {"job_status": job.status, "job_type": job.granularity,
            "job_creation_date": s.aws_date(job.created_at), "job_completion_date": s.aws_date(job.completed_at),
            "is_truncated": page.is_truncated, "marker": page.marker,
            "error": snake_case(page.error) if page.error else None}


class LastAccessedReportsView(IAMAPIView):
    @extend_schema(operation_id="GenerateServiceLastAccessedDetails", request=GenerateRequest, responses={
        202: JobOut, **_errors(_400="Invalid input", _401="Not authenticated", _403="Access denied",
                               _404="No such user, group, role or policy")})
    def post(self, request):
        data = parse(GenerateRequest, request.data)
        job = last_accessed.generate_service_last_accessed_details(caller=self.caller(request), arn=data["arn"],
                                                                   granularity=data.get("granularity"))
        return Response({"job_id": str(job.job_id)}, status=202)


class LastAccessedReportView(IAMAPIView):
    @extend_schema(operation_id="GetServiceLastAccessedDetails", parameters=[s.PageQuery], responses={
        200: ServicesPage, **_errors(_400="Invalid input", _401="Not authenticated", _403="Access denied",
                                     _404="No such job of the caller's")})
    def get(self, request, job_id: str):
        query = parse(s.PageQuery, request.query_params)
        page = last_accessed.get_service_last_accessed_details(caller=self.caller(request), job_id=job_id,
                                                               **s.PageQuery.page_arguments(query))
        return Response({**_status(page), "services_last_accessed": snake_case(last_accessed.with_datetimes(page.items))})


class LastAccessedEntitiesView(IAMAPIView):
    @extend_schema(operation_id="GetServiceLastAccessedDetailsWithEntities", parameters=[s.PageQuery], responses={
        200: EntitiesPage, **_errors(_400="Invalid input (a service the report does not list)",
                                     _401="Not authenticated", _403="Access denied",
                                     _404="No such job of the caller's")})
    def get(self, request, job_id: str, service_namespace: str):
        query = parse(s.PageQuery, request.query_params)
        page = last_accessed.get_service_last_accessed_details_with_entities(
            caller=self.caller(request), job_id=job_id, service_namespace=service_namespace,
            **s.PageQuery.page_arguments(query))
        return Response({**_status(page), "entity_details_list": snake_case(last_accessed.with_datetimes(page.items))})
