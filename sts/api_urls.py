"""REST API v1 routes for STS (mounted under /api/v1/)."""

from django.urls import path

from sts import api

urlpatterns = [
    path("sts/assume-role", api.AssumeRoleView.as_view(), name="api-sts-assume-role"),
    path("sts/caller-identity", api.CallerIdentityView.as_view(), name="api-sts-caller-identity"),
]
