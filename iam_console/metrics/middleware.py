"""Counts and times every request under its door and operation (labels a door sets, else the URL's name)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from iam_console import metrics

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _labels(request: HttpRequest) -> tuple[str, str]:
    door = getattr(request, "iam_metrics_door", None)
    operation = getattr(request, "iam_metrics_operation", None)
    if door and operation:
        return door, operation
    match = getattr(request, "resolver_match", None)
    path = request.path
    if path.startswith("/api/"):
        door = "rest"
    elif path.startswith("/static/"):
        return "static", "static"
    elif path == "/metrics":
        return "metrics", "scrape"
    else:
        door = "console"
    # The route's name (a fixed set), never the raw path: ids and names in paths would explode the series.
    route = (match.view_name or match.route) if match is not None else ""
    method = request.method if request.method in _METHODS else "OTHER"
    return door, f"{method} {route or 'unmatched'}"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        door, operation = _labels(request)
        metrics.REQUESTS.labels(door=door, operation=operation, status=str(response.status_code)).inc()
        metrics.REQUEST_SECONDS.labels(door=door, operation=operation).observe(elapsed)
        return response
