"""A database or broker outage answers 503 on every door: JSON with Retry-After on the API, a page in the console.

Django hands every uncaught exception (in a view or a middleware) to the 500 handler. When the cause is that
PostgreSQL or Redis cannot be reached, that is no server error but a passing outage: the client is told so and
when to try again. Nothing needs restarting afterwards: the next request opens a fresh connection.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
OUTAGE_MESSAGE = "The service is temporarily unavailable. Nothing was changed; try again in a few seconds."
API_PREFIX = "/api/"


def _outage_exceptions() -> tuple[type[BaseException], ...]:
    import redis
    from kombu.exceptions import OperationalError as BrokerOperationalError

    return (DatabaseOperationalError, DatabaseInterfaceError, redis.ConnectionError, redis.TimeoutError,
            BrokerOperationalError)


def is_outage(error: BaseException | None) -> bool:
    """Whether an exception means a dependency is unreachable (rather than a bug)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, _outage_exceptions()):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 of an outage, in the door's own format."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"error": {"code": "ServiceUnavailable", "message": OUTAGE_MESSAGE}},
                                              status=503)
    else:
        # No request context: context processors would reach for the very database that is down.
        response = HttpResponse(render_to_string("console/unavailable.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: an outage becomes a 503; anything else stays a 500 (JSON on the API)."""
    error = sys.exc_info()[1]
    if is_outage(error):
        logger.warning("answered 503 to %s %s: a dependency is unreachable (%s)", request.method, request.path,
                       type(error).__name__)
        return service_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": {"code": "ServiceFailure",
                                       "message": "The request failed because of an internal error."}}, status=500)
    try:
        return django_server_error(request, *args, **kwargs)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        return HttpResponseServerError("Server error", content_type="text/plain")


class RetryAfterMiddleware:
    """Every 503 tells the client when to come back, whichever layer produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 503 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
