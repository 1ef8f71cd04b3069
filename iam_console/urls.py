"""The project's URLs: the REST API under /api/v1/, its schema and docs, SCIM under /scim/v2/, and the console.

Every API route answers with and without its trailing slash, as the REST routes do.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from iam_console.health import health
from iam_console.metrics.endpoint import metrics
from iam_console.rest.docs import RedocView
from iam_console.rest.fallback import UnknownRouteView

# An unreachable database or Redis answers 503 (JSON on the API, a page in the console), not a 500.
handler500 = "iam_console.outages.server_error"

urlpatterns = [
    # Each without its slash first, under the same name: reverse() gives the last, the written form.
    path("api/v1/health", health, name="health"),
    path("api/v1/health/", health, name="health"),
    path("api/v1/schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs", RedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/docs/", RedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("iam_console.rest.urls")),
    # Prometheus's scrape target, closed unless IAM_METRICS_TOKEN or IAM_METRICS_ALLOWED_NETWORKS opens it.
    path("metrics", metrics, name="metrics"),
    # SCIM 2.0 for identity providers that provision the identity store (bearer tokens, not access keys).
    path("scim/v2/", include("iam_console.scim.urls")),
    # Last of the API routes: any other /api/ path is a JSON 404, never the HTML page.
    re_path(r"^api/", UnknownRouteView.as_view(), name="api-not-found"),
    path("", include("iam_console.console.urls")),
]

handler400 = "iam_console.error_views.bad_request"
