"""The REST-JSON door's endpoint: a request whose method and path are an operation's in a served model."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from iam_console import metrics
from iam_console.callers import caller_from_request
from iam_console.errors import JSON_ERROR_CODES, IAMError, ServiceUnavailable
from iam_console.model_constraints import validate_input
from iam_console.model_json import parse_input, read_body, render_error, render_value
from iam_console.outages import OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, is_outage
from iam_console.restjson import registry, routes
from iam_console.restjson.handlers import HANDLERS
from iam_console.restjson.routes import SERVICES, SIGNING_NAMES, Route
from sts.authentication import authenticate_signed_request, is_signed, signing_service

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/json"
# The frame's errors as these services name them.
_CODES = {"ValidationError": "ValidationException", "Throttling": "TooManyRequestsException",
          "ServiceUnavailable": "InternalServerException", "ServiceFailure": "InternalServerException",
          "AccessDenied": "AccessDeniedException"}
# The portal API's model declares no validation or access errors: AWS answers with these.
_PORTAL_CODES = {"ValidationException": ("InvalidRequestException", 400),
                 "AccessDeniedException": ("ForbiddenException", 403)}
# Access Analyzer's names for the frame's errors: AWS's JSON names, with the model's own for a few.
_SIGNED_CODES = {
    **JSON_ERROR_CODES,
    "InvalidInput": "ValidationException", "MalformedPolicyDocument": "ValidationException",
    "NoSuchEntity": "ResourceNotFoundException", "EntityAlreadyExists": "ConflictException",
    "LimitExceeded": "ServiceQuotaExceededException", "ServiceUnavailable": "InternalServerException",
    "ServiceFailure": "InternalServerException",
}


class RestJsonError(IAMError):
    """An error with the code and HTTP status given where it is raised (the door's protocol errors)."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class ValidationException(IAMError):
    """The input breaks a constraint of the model (required, length, pattern, range, enum)."""

    code, http_status = "ValidationException", 400


class RestJsonMiddleware:
    """Before sessions and CSRF: these operations carry a signature, a bearer token or nothing, never a console
    cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = routes.route_for(request.method or "", request.path, request.GET.dict())
        if found is not None:
            return handle(request, *found)
        return self.get_response(request)


def _arguments(model, request: HttpRequest, labels: dict[str, str]) -> dict[str, Any]:
    """The input members from where the model locates each: path label, query string, header, or the JSON body."""
    shape = model.input_shape
    if shape is None:
        return {}
    body_members, located = set(), {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        where = member.serialization.get("name", name)
        if location == "uri" and where in labels:
            located[name] = labels[where]
        elif location == "querystring" and where in request.GET:
            values = request.GET.getlist(where)
            located[name] = ([_text_value(where, member.member, value) for value in values]
                             if member.type_name == "list" else _text_value(where, member, values[-1]))
        elif location == "header" and where in request.headers:
            located[name] = _text_value(where, member, request.headers[where])
        elif location is None:
            body_members.add(name)
    body = {}
    if body_members:
        try:
            body = read_body(request.body)
        except (RequestDataTooBig, SuspiciousOperation):
            raise RestJsonError("RequestEntityTooLargeException", "The request is too large.", 413) from None
    arguments = parse_input(shape, {name: value for name, value in body.items() if name in body_members})
    arguments.update(located)
    return arguments


def _text_value(where: str, member, text: str) -> Any:
    """A path, query-string or header member: text, an integer written in ASCII digits, or a boolean."""
    if member.type_name in ("integer", "long"):
        if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 18):
            raise RestJsonError("SerializationException", f"The value of {where} is not an integer.")
        return int(text)
    if member.type_name == "boolean":
        if text.lower() not in ("true", "false"):
            raise RestJsonError("SerializationException", f"The value of {where} is not a boolean.")
        return text.lower() == "true"
    return text


def _storable(value: Any) -> bool:
    """No NUL and no lone surrogate in any text: neither is a character any of these members has."""
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, str):
        return "\x00" not in value and value.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") == value
    return True


def _signed_principal(request: HttpRequest, route: Route, labels: dict[str, str]):
    signing_name = SERVICES[route.service].signing_name
    assert signing_name is not None
    if not is_signed(request):
        raise RestJsonError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    principal, _identity = authenticate_signed_request(request, services=frozenset({signing_name}),
                                                       sent_path=route.sent_path(labels))
    return principal


def handle(request: HttpRequest, route: Route, labels: dict[str, str]) -> HttpResponse:
    request_id = getattr(request, "iam_request_id", None) or str(uuid.uuid4())
    metrics.label_request(request, door="restjson", operation=f"{route.service}:{route.operation}")
    signed = SERVICES[route.service].signing_name is not None
    try:
        signed_for = signing_service(request)
        if signed and signed_for is not None and SIGNING_NAMES.get(signed_for) != route.service:
            # Refused before the body is read or the principal looked up.
            raise RestJsonError("InvalidSignatureException", "Credential should be scoped to correct service: "
                                f"'{SERVICES[route.service].signing_name}'.", 403)
        found = registry.lookup(route.service, route.operation) if signed else None
        handler = found.handler if found is not None else HANDLERS.get((route.service, route.operation))
        if handler is None:
            raise RestJsonError("UnknownOperationException", "This operation is not supported by this directory.")
        principal = _signed_principal(request, route, labels) if signed else None
        model = routes.operation_model(route.service, route.operation)
        arguments = _arguments(model, request, labels)
        if not all(_storable(value) for value in arguments.values()):
            message = "A member holds a character that is not allowed."
            raise ValidationException(message) if signed else RestJsonError("InvalidRequestException", message)
        if route.service == "sso" and "accessToken" not in arguments:
            # A portal API call without its bearer token is unauthenticated, as the token's own refusal says.
            raise RestJsonError("UnauthorizedException", "Session token not found or invalid", 401)
        validate_input(model.input_shape, arguments, error=ValidationException)
        if signed:
            caller = caller_from_request(request, via="api", principal=principal)
            request_id = caller.request_id
            result = handler(caller, arguments)
        else:
            result = handler(request, arguments)
        body = render_value(model.output_shape, result or {}) if model.output_shape is not None else {}
        return _json(json.dumps(body, separators=(",", ":")).encode(), 200, request_id)
    except IAMError as error:
        return _error(route.service, error, request_id)
    except Exception as error:
        if is_outage(error):
            logger.warning("REST-JSON request %s: a dependency is unreachable (%s)", request_id,
                           type(error).__name__)
            response = _error(route.service, ServiceUnavailable(OUTAGE_MESSAGE), request_id)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("REST-JSON request %s failed", request_id)
        return _error(route.service, IAMError("We encountered an internal error. Please try again."), request_id)


def _error(service: str, error: IAMError, request_id: str) -> HttpResponse:
    fields = dict(getattr(error, "fields", None) or {})
    if SERVICES[service].signing_name is not None:
        code = _SIGNED_CODES.get(error.code, error.code)
        status = routes.error_statuses(service).get(code) or error.http_status
        if code == "ValidationException":
            fields.setdefault("reason", "fieldValidationFailed" if isinstance(error, ValidationException)
                              else "other")
    else:
        code = _CODES.get(error.code, error.code)
        status = routes.error_statuses(service).get(code) or (error.http_status if error.http_status >= 500 else 400)
        if service == "sso" and code in _PORTAL_CODES:
            code, status = _PORTAL_CODES[code]
    response = _json(render_error(code, error.aws_message, fields), status, request_id)
    response["x-amzn-ErrorType"] = code
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _json(body: bytes, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response
