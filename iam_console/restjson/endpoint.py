"""The REST-JSON door's endpoint: a request whose method and exact path are an operation's in a served model."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from iam_console import metrics
from iam_console.errors import IAMError, ServiceUnavailable
from iam_console.model_constraints import validate_input
from iam_console.outages import OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, is_outage
from iam_console.restjson import routes
from iam_console.restjson.handlers import HANDLERS
from iam_console.restjson.parsing import RestJsonError, ValidationException, member_value, read_body

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/json"
# The frame's errors as these services name them.
_CODES = {"ValidationError": "ValidationException", "Throttling": "TooManyRequestsException",
          "ServiceUnavailable": "InternalServerException", "ServiceFailure": "InternalServerException",
          "AccessDenied": "AccessDeniedException"}
# The portal API's model declares no validation or access errors: AWS answers with these.
_PORTAL_CODES = {"ValidationException": ("InvalidRequestException", 400),
                 "AccessDeniedException": ("ForbiddenException", 403)}


def is_rest_json_request(request: HttpRequest) -> bool:
    return request.path in routes.paths() and routes.route_for(request.method or "", request.path,
                                                                 request.GET.dict()) is not None


class RestJsonMiddleware:
    """Before sessions and CSRF: these operations carry a bearer token or nothing, never a console cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_rest_json_request(request):
            return handle(request)
        return self.get_response(request)


def _arguments(model, request: HttpRequest) -> dict[str, Any]:
    """The input members from where the model locates each: query string, header, or the JSON body."""
    shape = model.input_shape
    if shape is None:
        return {}
    body_members, located = {}, {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        where = member.serialization.get("name", name)
        if location == "querystring" and where in request.GET:
            located[name] = _text_value(where, member, request.GET[where])
        elif location == "header" and where in request.headers:
            located[name] = _text_value(where, member, request.headers[where])
        elif location is None:
            body_members[name] = member
    body = {}
    if body_members:
        try:
            body = read_body(request.body)
        except (RequestDataTooBig, SuspiciousOperation):
            raise RestJsonError("RequestEntityTooLargeException", "The request is too large.", 413) from None
    arguments = {name: member_value(body_members[name], value) for name, value in body.items()
                 if name in body_members and value is not None}
    arguments.update(located)
    return arguments


def _text_value(where: str, member, text: str) -> Any:
    """A query-string or header member: text, or an integer (`maxResults`) written in ASCII digits."""
    if member.type_name in ("integer", "long"):
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise RestJsonError("SerializationException", f"The value of {where} is not an integer.")
        return int(text)
    return text


def _storable(value: Any) -> bool:
    """No NUL and no lone surrogate in any text: neither is a character any of these members has."""
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, str):
        return "\x00" not in value and value.encode("utf-8", "surrogatepass").decode("utf-8", "ignore") == value
    return True


def handle(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "iam_request_id", None) or str(uuid.uuid4())
    route = routes.route_for(request.method or "", request.path, request.GET.dict())
    assert route is not None  # is_rest_json_request chose this request
    metrics.label_request(request, door="restjson", operation=f"{route.service}:{route.operation}")
    try:
        handler = HANDLERS.get((route.service, route.operation))
        if handler is None:
            raise RestJsonError("UnknownOperationException", "This operation is not supported by this directory.")
        model = routes.operation_model(route.service, route.operation)
        arguments = _arguments(model, request)
        if not all(_storable(value) for value in arguments.values()):
            raise RestJsonError("InvalidRequestException", "A member holds a character that is not allowed.")
        if route.service == "sso" and "accessToken" not in arguments:
            # A portal API call without its bearer token is unauthenticated, as the token's own refusal says.
            raise RestJsonError("UnauthorizedException", "Session token not found or invalid", 401)
        validate_input(model.input_shape, arguments, error=ValidationException)
        result = handler(request, arguments)
        return _json(_render(model.output_shape, result), 200, request_id)
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


def _render(shape, result: dict[str, Any]) -> dict[str, Any]:
    """Only the members the output shape declares (these models' outputs are flat or one level deep)."""
    if shape is None:
        return {}
    return {name: value for name, value in result.items() if name in shape.members and value is not None}


def _error(service: str, error: IAMError, request_id: str) -> HttpResponse:
    code = _CODES.get(error.code, error.code)
    status = routes.error_statuses(service).get(code) or (error.http_status if error.http_status >= 500 else 400)
    if service == "sso" and code in _PORTAL_CODES:
        code, status = _PORTAL_CODES[code]
    body: dict[str, Any] = {"__type": code, "message": error.aws_message}
    body.update(getattr(error, "fields", None) or {})
    response = _json(body, status, request_id)
    response["x-amzn-ErrorType"] = code
    return response


def _json(body: dict[str, Any], status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response
