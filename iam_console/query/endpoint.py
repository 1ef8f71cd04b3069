"""The Query API's one endpoint: requests to `/` that carry an Action, answered before the console sees them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from iam_console import metrics
from iam_console.callers import caller_from_request
from iam_console.errors import IAMError, ServiceUnavailable
from iam_console.model_constraints import validate_input
from iam_console.outages import OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, is_outage
from iam_console.query import registry
from iam_console.query.parsing import parse_input
from iam_console.query.serialization import render_error, render_response
from iam_console.query.service_models import (
    SERVICES,
    api_version,
    error_shapes,
    is_served,
    operation_model,
    operation_names,
    service_for_action,
    xml_namespace,
)
from sts.authentication import authenticate_signed_request, is_signed, signing_service

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 2000  # far above any IAM or STS request, low enough that parsing stays cheap
# Failed authentication is 403 on the Query API, whatever the REST API answers.
_AUTHENTICATION_ERRORS = {"MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch",
                          "ExpiredToken", "RequestExpired"}
_HTTP_STATUS_OVERRIDES = {"InvalidAuthenticationCode": 403}


# Errors of the protocol itself, answered before any operation runs: code -> (HTTP status, when).
PROTOCOL_ERRORS: dict[str, tuple[int, str]] = {
    "MissingAction": (400, "The request names no Action."),
    "InvalidAction": (400, "The Action (or Version) is not the service's, or this directory does not implement it."),
    "MalformedQueryString": (400, "The request parameters are not valid form data."),
    "RequestEntityTooLarge": (413, "The request is larger than IAM_MAX_REQUEST_BODY_BYTES."),
}


class QueryError(IAMError):
    """An error of the protocol itself, before any operation runs (InvalidAction, MissingAction…)."""

    def __init__(self, code: str, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status if http_status is not None else PROTOCOL_ERRORS[code][0]


def is_query_request(request: HttpRequest) -> bool:
    """A request for the Query API: at `/`, an Action in the query string, or a form body with an Action or a
    SigV4 signature. Everything else at `/` is the console's."""
    if request.path != "/":
        return False
    if "Action" in request.GET:
        return True
    if request.method != "POST" or request.content_type != FORM:
        return False
    if request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
        return True
    try:
        return any(key == "Action" for key, _ in parse_qsl(request.body.decode("utf-8", "replace"),
                                                           keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except (RequestDataTooBig, ValueError):
        return True  # a form too large to be the console's: answered as the API refuses it


class QueryAPIMiddleware:
    """Placed before the session and CSRF middleware: API requests carry a signature, not a cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_query_request(request):
            return handle(request)
        return self.get_response(request)


def _parameters(request: HttpRequest) -> dict[str, str]:
    params = dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True,
                            max_num_fields=MAX_FIELDS))
    if request.method == "POST":
        body = request.body.decode("utf-8")
        params.update(parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS))
    return params


def _wrong_scope(name: str) -> QueryError:
    served = " or ".join(f"'{served}'" for served in SERVICES)
    return QueryError("SignatureDoesNotMatch", f"Credential should be scoped to correct service: {served}, not "
                                               f"'{name[:64]}'.", 403)


def handle(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "iam_request_id", None) or str(uuid.uuid4())
    service = "iam"
    metrics.label_request(request, door="query", operation="unknown")
    try:
        signed_for = signing_service(request)
        if signed_for is not None and not is_served(signed_for):
            # Refused before the body is read or any model loaded: the name is the caller's, not ours to look up.
            raise _wrong_scope(signed_for)
        try:
            params = _parameters(request)
        except (RequestDataTooBig, SuspiciousOperation):
            raise QueryError("RequestEntityTooLarge", "The request is too large.") from None
        except (UnicodeDecodeError, ValueError):
            raise QueryError("MalformedQueryString", "The request parameters are not valid form data.") from None
        action = params.get("Action")
        if not action:
            raise QueryError("MissingAction", "Missing Action")
        service = signed_for or service_for_action(action)
        version = params.get("Version") or api_version(service)
        if action not in operation_names(service) or version != api_version(service):
            raise QueryError("InvalidAction", f"Could not find operation {action} for version {version}")
        metrics.label_request(request, door="query", operation=f"{service}:{action}")
        found = registry.lookup(service, action)
        if found is None:
            raise QueryError("InvalidAction", f"The action {action} is not implemented by this directory "
                                              f"(service {service}, version {version}).")
        principal = None
        if found.signed:
            if not is_signed(request):
                raise QueryError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
            principal, _identity = authenticate_signed_request(request)
        model = operation_model(service, action)
        arguments = parse_input(model.input_shape, params)
        validate_input(model.input_shape, arguments)
        caller = caller_from_request(request, via="api", principal=principal) if principal is not None else None
        if caller is not None:
            request_id = caller.request_id
        result = found.handler(caller, arguments)
        body = render_response(model, xml_namespace(service), result or {}, request_id)
        return _xml(body, 200, request_id)
    except IAMError as error:
        return _error(service, error, request_id)
    except Exception as error:
        if is_outage(error):
            # The database or Redis is unreachable: a passing outage, not a fault of this request.
            logger.warning("Query API request %s: a dependency is unreachable (%s)", request_id,
                           type(error).__name__)
            response = _error(service, ServiceUnavailable(OUTAGE_MESSAGE), request_id)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("Query API request %s failed", request_id)
        return _error(service, IAMError("We encountered an internal error. Please try again."), request_id)


def query_status(service: str, code: str, status: int) -> int:
    """The HTTP status the Query API answers an error with: the service model's, else the error's own."""
    declared = error_shapes(service).get(code)
    status = declared.http_status if declared else status
    if code in _AUTHENTICATION_ERRORS:
        status = 403
    return _HTTP_STATUS_OVERRIDES.get(code, status)


def _error(service: str, error: IAMError, request_id: str) -> HttpResponse:
    status = query_status(service, error.code, error.http_status)
    body = render_error(xml_namespace(service), error.code, error.aws_message, sender_fault=status < 500,
                        request_id=request_id)
    response = _xml(body, status, request_id)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)  # a throttled caller is told when to come back, as on REST
    return response


def _xml(body: str, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response
