"""REST API v1 routes for other services (mounted under /api/v1/)."""

from django.urls import re_path

from iam_console.rest import authorization as views

urlpatterns = [
    re_path(r"^authorization/verify/?$", views.VerifyView.as_view(), name="api-authorization-verify"),
    re_path(r"^authorization/decide/?$", views.DecideView.as_view(), name="api-authorization-decide"),
    re_path(r"^authorization/decide-batch/?$", views.DecideBatchView.as_view(), name="api-authorization-batch"),
    re_path(r"^services/?$", views.ServiceListView.as_view(), name="api-services"),
    re_path(r"^services/(?P<service_prefix>[^/]+)/?$", views.ServiceDetailView.as_view(), name="api-service"),
]
