"""REST API for credential reports: GenerateCredentialReport, GetCredentialReport, and the report history."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from directory.models import CredentialReport
from directory.reports import services
from directory.reports.reading import GENERATED_TIME_HEADER, csv_response
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, parse


def _errors(**described: str) -> dict:
    return {int(status[1:]): OpenApiResponse(s.ErrorEnvelope, description=text) for status, text in described.items()}


class GenerationStateOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["STARTED", "INPROGRESS", "COMPLETE"])
    description = serializers.CharField()


class ReportOut(serializers.Serializer):
    report_id = serializers.IntegerField(source="pk")
    generated_time = s.Date(source="generated_at")
    row_count = serializers.IntegerField(help_text="Rows of the report: the root account and every user.")
    size_bytes = serializers.IntegerField()
    download = serializers.SerializerMethodField()

    def get_download(self, report: CredentialReport) -> str:
        return reverse("credential-report-detail", args=[report.pk])


class ReportPage(serializers.Serializer):
    credential_reports = ReportOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


_CSV = OpenApiResponse(OpenApiTypes.BINARY, description="The report as text/csv, in AWS's format; the "
                       f"{GENERATED_TIME_HEADER} header carries its generation time.")


class CredentialReportView(IAMAPIView):
    @extend_schema(operation_id="GenerateCredentialReport", request=None,
                   responses={200: GenerationStateOut, **_errors(_401="Not authenticated", _403="Access denied")})
    def post(self, request):
        result = services.generate_credential_report(caller=self.caller(request))
        return Response({"state": result.state, "description": result.description})

    @extend_schema(operation_id="GetCredentialReport", responses={
        200: _CSV, **_errors(_401="Not authenticated", _403="Access denied",
                             _404="ReportInProgress: the first report is still being generated",
                             _410="ReportNotPresent (none generated) or ReportExpired (the newest is too old)")})
    def get(self, request):
        return csv_response(services.get_credential_report(caller=self.caller(request)))


class CredentialReportListView(IAMAPIView):
    @extend_schema(operation_id="ListCredentialReports", parameters=[s.PageQuery],
                   responses={200: ReportPage, **_errors(_400="Invalid input", _401="Not authenticated",
                                                         _403="Access denied")})
    def get(self, request):
        query = parse(s.PageQuery, request.query_params)
        page = services.list_credential_reports(caller=self.caller(request), **s.PageQuery.page_arguments(query))
        return Response({"credential_reports": ReportOut(page.items, many=True).data,
                         "is_truncated": page.is_truncated, "marker": page.marker})


class CredentialReportDetailView(IAMAPIView):
    @extend_schema(operation_id="GetCredentialReportById", responses={
        200: _CSV, **_errors(_401="Not authenticated", _403="Access denied", _404="No such report")})
    def get(self, request, report_id: int):
        return csv_response(services.get_credential_report(caller=self.caller(request), report_id=report_id))
