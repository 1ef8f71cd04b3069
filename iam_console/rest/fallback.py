"""The answer for any /api/ path that names no route: a JSON 404, after authentication like every route."""

from __future__ import annotations

from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema
from rest_framework import status

from iam_console.rest.base import IAMAPIView, error_response


@extend_schema(exclude=True)
class UnknownRouteView(IAMAPIView):
    def _not_found(self, request, *args, **kwargs):
        message = f"No API route matches {request.method} {request.path}. The routes are listed at /api/v1/docs/."
        if not request.path.endswith("/"):
            try:
                if getattr(resolve(request.path + "/").func, "view_class", None) is not UnknownRouteView:
                    message = f"No API route matches {request.path}: API paths end with a slash, {request.path}/"
            except Resolver404:
                pass
        return error_response("NotFound", message, status.HTTP_404_NOT_FOUND)

    get = post = put = patch = delete = head = options = _not_found
