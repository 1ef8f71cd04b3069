"""Django's own refusals (a body too large, a malformed request) in each door's format: JSON under /api/."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        status, message = 413, f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    else:
        status, message = 400, "The request is malformed."
    if request.path.startswith("/api/"):
        body = {"code": "ValidationError", "message": message, "request_id": getattr(request, "iam_request_id", "")}
        return JsonResponse({"error": body}, status=status)
    return render(request, "console/bad_request.html", {"message": message}, status=status)
