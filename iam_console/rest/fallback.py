"""The answer for any /api/ path that names no route: a JSON 404, after authentication like every route."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status

from iam_console.rest.base import IAMAPIView, error_response


@extend_schema(exclude=True)
class UnknownRouteView(IAMAPIView):
    def _not_found(self, request, *args, **kwargs):
        return error_response("InvalidAction", f"No API route matches {request.method} {request.path}. "
                              "The routes are listed at /api/v1/docs/.", status.HTTP_404_NOT_FOUND)

    get = post = put = patch = delete = head = options = _not_found
