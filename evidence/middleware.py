"""Every request's decisions are acknowledged by Redis (or stored in the database) before its answer leaves
(evidence.recording)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from evidence.recording import decisions_written_together


class DecisionsWrittenTogetherMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with decisions_written_together():
            return self.get_response(request)
