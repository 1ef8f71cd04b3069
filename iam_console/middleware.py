"""Security headers for every response (a strict Content-Security-Policy and friends), and request ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from iam_console.log_format import current_request_id


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class RequestIdMiddleware:
    """Every request gets an id: in the x-amzn-RequestId header (as AWS sends it), API error bodies and the
    audit events the request causes, so one id ties a client's report to the server's records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.iam_request_id = str(uuid.uuid4())  # type: ignore[attr-defined]
        token = current_request_id.set(request.iam_request_id)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response.headers["x-amzn-RequestId"] = request.iam_request_id  # type: ignore[attr-defined]
        return response
