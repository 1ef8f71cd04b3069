"""Helpers shared by the REST API views: parse a request with a strict serializer, render a page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from directory.api.serializers import ErrorEnvelope
from iam_console.pagination import Page


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """Validated input, or a 400 ValidationError naming each bad field (InvalidInput for unknown ones)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def page_body(page: Page, name: str, item_serializer: type[serializers.Serializer]) -> dict:
    return {name: item_serializer(page.items, many=True).data, "is_truncated": page.is_truncated,
            "marker": page.marker}


def errors(*statuses: int) -> Mapping[int, OpenApiResponse]:
    """The error responses an operation documents, all with the {"error": {...}} body."""
    described = {400: "Invalid input", 401: "Not authenticated", 403: "Access denied",
                 404: "No such entity", 409: "Conflict (exists, limit exceeded, delete conflict)"}
    return {status: OpenApiResponse(ErrorEnvelope, description=described[status]) for status in statuses}
