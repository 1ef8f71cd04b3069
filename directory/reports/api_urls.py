"""REST routes of credential reports, under /api/v1/."""

from django.urls import path

from directory.reports import api

urlpatterns = [
    path("credential-report", api.CredentialReportView.as_view(), name="credential-report"),
    path("credential-reports/", api.CredentialReportListView.as_view(), name="credential-report-list"),
    path("credential-reports/<int:report_id>", api.CredentialReportDetailView.as_view(),
         name="credential-report-detail"),
]
