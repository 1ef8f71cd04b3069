"""Console routes of the credential report (included in the console's URLconf, namespace "console")."""

from django.urls import path

from directory.reports import views

urlpatterns = [
    path("credential-report/", views.CredentialReportView.as_view(), name="credential-report"),
    path("credential-report/compare/", views.CredentialReportDiffView.as_view(), name="credential-report-diff"),
    path("credential-report/<int:report_id>/download/", views.CredentialReportDownloadView.as_view(),
         name="credential-report-download"),
    path("credential-report/<int:report_id>/users/", views.CredentialReportBucketView.as_view(),
         name="credential-report-users"),
]
