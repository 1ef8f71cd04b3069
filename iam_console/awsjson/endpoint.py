"""The JSON 1.1 door's one endpoint: POST `/` with an `X-Amz-Target`, answered before the console sees it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from iam_console import metrics
from iam_console.awsjson import registry
from iam_console.awsjson.errors import JsonError, ValidationException
from iam_console.awsjson.service_models import (
    SIGNING_NAMES,
    JsonService,
    error_statuses,
    operation_model,
    operation_names,
    service_for_target,
)
from iam_console.callers import caller_from_request
from iam_console.errors import JSON_ERROR_CODES, IAMError, ServiceUnavailable
from iam_console.model_constraints import validate_input
from iam_console.model_json import parse_input, read_body, render_error, render_response
from iam_console.outages import OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, is_outage
from sts.authentication import authenticate_signed_request, is_signed, signing_service

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_HEADER = "X-Amz-Target"
_TARGET_MAX = 256  # far above any model's prefix and operation name; a longer one is read no further


def is_json_request(request: HttpRequest) -> bool:
    """A request for this door: a POST to `/` that names its operation in `X-Amz-Target` (the Query door's requests
    name theirs in an Action parameter, the console's in the path)."""
    return request.path == "/" and request.method == "POST" and TARGET_HEADER in request.headers


class AwsJsonMiddleware:
    """Placed before the Query door and the session and CSRF middleware: a signature, not a cookie, says who calls."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_json_request(request):
            return handle(request)
        return self.get_response(request)


def _wrong_scope(name: str, service: JsonService | None) -> JsonError:
    served = f"'{service.signing_name}'" if service else " or ".join(f"'{n}'" for n in sorted(SIGNING_NAMES))
    return JsonError("InvalidSignatureException", f"Credential should be scoped to correct service: {served}, not "
                                                  f"'{name[:64]}'.")


def _target(request: HttpRequest) -> tuple[JsonService, str]:
    """The service and operation an `X-Amz-Target` names; UnknownOperationException for anything else."""
    target = request.headers.get(TARGET_HEADER, "")[:_TARGET_MAX]
    prefix, _, name = target.rpartition(".")
    service = service_for_target(prefix)
    if service is None or name not in operation_names(service.name):
        raise JsonError("UnknownOperationException", "The operation named by X-Amz-Target is not known.")
    return service, name


def handle(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "iam_request_id", None) or str(uuid.uuid4())
    service: JsonService | None = None
    metrics.label_request(request, door="json", operation="unknown")
    try:
        signed_for = signing_service(request)
        if signed_for is not None and signed_for not in SIGNING_NAMES:
            # Refused before the target is looked up, the body read or any model loaded.
            raise _wrong_scope(signed_for, None)
        service, name = _target(request)
        if signed_for is not None and signed_for != service.signing_name:
            raise _wrong_scope(signed_for, service)
        metrics.label_request(request, door="json", operation=f"{service.name}:{name}")
        found = registry.lookup(service.name, name)
        if found is None:
            raise JsonError(service.unsupported_code, service.unsupported_message)
        if not is_signed(request):
            raise JsonError("MissingAuthenticationTokenException", "Request is missing Authentication Token")
        principal, _identity = authenticate_signed_request(request, services=frozenset({service.signing_name}))
        try:
            body = read_body(request.body)
        except (RequestDataTooBig, SuspiciousOperation):
            raise JsonError("RequestEntityTooLargeException", "The request is too large.", 413) from None
        model = operation_model(service.name, name)
        arguments = parse_input(model.input_shape, body)
        validate_input(model.input_shape, arguments, error=ValidationException)
        caller = caller_from_request(request, via="api", principal=principal)
        request_id = caller.request_id
        result = found.handler(caller, arguments)
        return _json(render_response(model, result or {}), 200, request_id)
    except IAMError as error:
        return _error(service, error, request_id)
    except Exception as error:
        if is_outage(error):
            # The database or Redis is unreachable: a passing outage, not a fault of this request.
            logger.warning("JSON API request %s: a dependency is unreachable (%s)", request_id, type(error).__name__)
            response = _error(service, ServiceUnavailable(OUTAGE_MESSAGE), request_id)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("JSON API request %s failed", request_id)
        return _error(service, IAMError("We encountered an internal error. Please try again."), request_id)


def json_status(service: JsonService | None, code: str, status: int) -> int:
    """The model's status for the code where it declares one; else a client fault is 400 (as AWS's JSON services
    answer even AccessDeniedException and the signature errors), a server fault its own."""
    declared = error_statuses(service.name).get(code) if service is not None else None
    if declared:
        return declared
    return status if status >= 500 or status == 413 else 400


def _error(service: JsonService | None, error: IAMError, request_id: str) -> HttpResponse:
    code = JSON_ERROR_CODES.get(error.code, error.code)
    if code == "InternalFailure" and service is not None and service.name == "organizations":
        code = "ServiceException"  # Organizations' model names its own server fault
    status = json_status(service, code, error.http_status)
    response = _json(render_error(code, error.aws_message, getattr(error, "fields", None)), status, request_id)
    response["x-amzn-ErrorType"] = code
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _json(body: bytes, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response
