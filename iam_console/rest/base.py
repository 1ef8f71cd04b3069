"""The REST API's shared glue: IAM error bodies, the base view, strict request parsing, pages, documented errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from iam_console.callers import caller_from_request
from iam_console.errors import IAMError
from iam_console.pagination import Page
from iam_console.parsers import BodyTooLarge
from iam_console.rest.serializers import ErrorEnvelope
from policies.authorization import Caller
from sts.authentication import SessionAuthentication, SignatureAuthenticationFailed

logger = logging.getLogger(__name__)


def error_response(code: str, message: str, http_status: int, details: object | None = None,
                   headers: dict | None = None) -> Response:
    body: dict = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response({"error": body}, status=http_status, headers=headers)


# Errors the door itself answers with, beside the IAM errors services raise: code -> (HTTP statuses, when).
DOOR_ERRORS: dict[str, tuple[tuple[int, ...], str]] = {
    "ValidationError": ((400, 413, 415), "The request does not fit the operation: a body that is not JSON (or not "
                        "application/json), nested too deep or too large, an unknown parameter, a missing or "
                        "mistyped field."),
    "InvalidAction": ((404, 405), "No route has this path, or the route does not take this method."),
    "Throttling": ((429,), "Too many requests: retry later."),
    "RequestURITooLong": ((414,), "The request line is longer than the web server takes (8,190 bytes)."),
    "RequestHeaderFieldsTooLarge": ((431,), "The request's headers are larger than the web server takes."),
    "ServiceFailure": ((500,), "The server failed; nothing was changed."),
}


def error_codes() -> dict[str, tuple[tuple[int, ...], str]]:
    """Every error code the REST API can answer with (docs' generated error reference lists them from here)."""
    codes = {}
    pending = list(IAMError.__subclasses__())
    while pending:
        error = pending.pop()
        pending.extend(error.__subclasses__())
        doc = (error.__doc__ or "").strip().splitlines()[0] if error.__doc__ else ""
        # Two services may each have a type for one code (AccessDeniedException): the one that says when is listed.
        if error.code not in codes or not codes[error.code][1]:
            codes[error.code] = ((error.http_status,), doc)
    codes.update(DOOR_ERRORS)
    return dict(sorted(codes.items()))


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error as {"error": {"code", "message", "request_id"}} with IAM's code and the right HTTP status."""
    response = _error_for(exc)
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "iam_request_id", None)
    if response is not None and request_id:
        response.data["error"]["request_id"] = request_id
    return response


def _error_for(exc: Exception) -> Response | None:
    if isinstance(exc, SignatureAuthenticationFailed):
        error = exc.error
        return error_response(error.code, error.message, error.http_status)
    if isinstance(exc, IAMError):
        retry_after = getattr(exc, "retry_after", None)
        return error_response(exc.code, exc.message, exc.http_status, exc.details,
                              headers={"Retry-After": str(retry_after)} if retry_after else None)
    if isinstance(exc, exceptions.NotAuthenticated):
        return error_response("MissingAuthenticationToken",
                              "Request is missing authentication: sign it with AWS Signature Version 4 "
                              "(an access key) or sign in to the console.", status.HTTP_403_FORBIDDEN)
    if isinstance(exc, exceptions.AuthenticationFailed):
        return error_response("InvalidClientTokenId", str(exc.detail), status.HTTP_403_FORBIDDEN)
    if isinstance(exc, exceptions.PermissionDenied):
        # DRF raises this for a failed CSRF check on session-authenticated writes.
        return error_response("AccessDenied", str(exc.detail), status.HTTP_403_FORBIDDEN)
    if isinstance(exc, BodyTooLarge | RequestDataTooBig):
        return error_response("ValidationError", f"The request body is larger than "
                              f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, exceptions.ParseError):
        return error_response("ValidationError", f"The request body is not valid JSON: {exc.detail}",
                              status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        problems = field_problems(exc.detail)
        return error_response("ValidationError", "Invalid request: " + " | ".join(
            f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems),
            status.HTTP_400_BAD_REQUEST, details={"fields": problems})
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_response("ValidationError", "Send the request body as application/json.",
                              status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response("InvalidAction", str(exc.detail), status.HTTP_405_METHOD_NOT_ALLOWED)
    if isinstance(exc, exceptions.NotFound):
        return error_response("NoSuchEntity", str(exc.detail), status.HTTP_404_NOT_FOUND)
    if isinstance(exc, exceptions.Throttled):
        return error_response("Throttling", str(exc.detail), status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, exceptions.APIException):
        return error_response("ValidationError", str(exc.detail), exc.status_code)
    return None


def field_problems(detail: object, field: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {"field": "a.b[0]", "message": "..."} (plain strings)."""
    if isinstance(detail, dict):
        problems = []
        for key, value in detail.items():
            if key == "non_field_errors":
                name = field
            elif isinstance(key, int):
                name = f"{field}[{key}]"
            else:
                name = f"{field}.{key}" if field else str(key)
            problems.extend(field_problems(value, name))
        return problems
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": field, "message": str(item)} for item in detail]
        return [p for index, item in enumerate(detail) for p in field_problems(item, f"{field}[{index}]")]
    return [{"field": field, "message": str(detail)}]


class IAMAPIView(APIView):
    """Base view: authenticated callers only; each handler calls a service, which authorizes."""

    def caller(self, request: Request) -> Caller:
        # The console's own pages call the API with the session cookie: those calls are the console's, and
        # carry its MFA sign-in time; signed requests are scripts'.
        via = "console" if isinstance(request.successful_authenticator, SessionAuthentication) else "api"
        return caller_from_request(request._request, via=via, principal=request.user)


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validated input, or a 400 ValidationError naming each bad field (InvalidInput for unknown ones)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def page_body(page: Page, name: str, item_serializer: type[serializers.Serializer]) -> dict:
    return {name: item_serializer(page.items, many=True).data, "is_truncated": page.is_truncated,
            "marker": page.marker}


def errors(*statuses: int) -> Mapping[int, OpenApiResponse]:
    """The error responses an operation documents, all with the {"error": {...}} body; each names the
    codes that status can carry.

    Every operation can also be refused for its input (400: a NUL, a body nested too deep), its authentication
    (403, as AWS answers: MissingAuthenticationToken, SignatureDoesNotMatch …), its size (413) or its caller's
    pace (429 Throttling), so those are always documented. A 401 asked for is documented as the 403 it is.
    """
    by_status: dict[int, list[str]] = {}
    for code, (codes_statuses, _when) in error_codes().items():
        for number in codes_statuses:
            by_status.setdefault(number, []).append(code)
    wanted = {403 if number == 401 else number for number in statuses} | {400, 403, 413, 429}
    return {number: OpenApiResponse(ErrorEnvelope, description=", ".join(by_status.get(number, [])))
            for number in sorted(wanted)}
