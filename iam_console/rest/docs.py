"""The API's documentation page: ReDoc served by the project itself, under a CSP that still allows no foreign
script. ReDoc styles itself at run time (inline styles) and renders in a worker it builds from a blob, so this
one page widens style-src and worker-src, never script-src."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

DOCS_CSP = (settings.CONTENT_SECURITY_POLICY
            .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
            + "; worker-src 'self' blob:")


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response
