"""Security headers for every response (a strict Content-Security-Policy and friends), and request ids."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

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
    audit events the request causes, so one id ties a client's report to the server's records.

    Every error under /api/ leaves as the API's JSON error with that id, whichever layer refused the request (a
    route, a view, Django itself): one place, so no refusal can answer in another shape or without its id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.iam_request_id = str(uuid.uuid4())  # type: ignore[attr-defined]
        token = current_request_id.set(request.iam_request_id)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        if request.path.startswith("/api/") and response.status_code >= 400 and not response.streaming:
            response = as_api_error(response, request.iam_request_id)  # type: ignore[attr-defined]
        response.headers["x-amzn-RequestId"] = request.iam_request_id  # type: ignore[attr-defined]
        return response


# The API's error code for a refusal that did not come with one (Django's own answers).
_CODE_FOR_STATUS = {400: "ValidationError", 401: "MissingAuthenticationToken", 403: "AccessDenied",
                    404: "InvalidAction", 405: "InvalidAction", 413: "ValidationError", 414: "RequestURITooLong",
                    415: "ValidationError", 429: "Throttling", 431: "RequestHeaderFieldsTooLarge",
                    503: "ServiceUnavailable"}


def as_api_error(response: HttpResponse, request_id: str) -> HttpResponse:
    """The response as {"error": {"code", "message", "request_id"}}: its id added, or its body replaced."""
    body = None
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and not isinstance(body.get("error"), dict):
            return response  # an answer of its own (the health check's figures), not an error body
    if isinstance(body, dict):
        if body["error"].get("request_id") == request_id:
            return response
        body["error"]["request_id"] = request_id
    else:
        status = response.status_code
        message = {405: f"This route does not take that method (allowed: {response.get('Allow', 'none')})."} \
            .get(status, f"The request was refused: HTTP {status} {response.reason_phrase}.")
        body = {"error": {"code": _CODE_FOR_STATUS.get(status, "ServiceFailure"), "message": message,
                          "request_id": request_id}}
    replaced = JsonResponse(body, status=response.status_code)
    for name, value in response.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            replaced.headers[name] = value
    return replaced
