"""SCIM's answers: resources and list responses as application/scim+json, errors in SCIM's error schema
(RFC 7644 §3.12: the status as a string, a scimType where one applies)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from pydantic import ValidationError as PydanticValidationError
from scim2_models import Error, SCIMException

from iam_console.errors import AccessDenied, IAMError, Throttling
from identitystore.errors import Conflict, Invalid, QuotaExceeded, ResourceNotFound
from identitystore.scim_filters import InvalidFilter

CONTENT_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim_response(body: Any, status: int = 200, *, location: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    response = scim_response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def list_response(resources: list[dict], total: int, start_index: int) -> HttpResponse:
    return scim_response({"schemas": [LIST_SCHEMA], "totalResults": total, "itemsPerPage": len(resources),
                          "startIndex": start_index, "Resources": resources})


def response_for_error(error: Exception) -> HttpResponse:
    """The SCIM error for whatever refused the request: the store's own errors, scim2-models' validation."""
    if isinstance(error, InvalidFilter):
        return error_response(400, error.message, "invalidFilter")
    if isinstance(error, Conflict):
        return error_response(409, error.message, "uniqueness")
    if isinstance(error, ResourceNotFound):
        return error_response(404 if error.resource_type in ("USER", "GROUP") else 400, error.message,
                              None if error.resource_type in ("USER", "GROUP") else "invalidValue")
    if isinstance(error, Invalid | QuotaExceeded):
        return error_response(400, error.message, "invalidValue")
    if isinstance(error, AccessDenied):
        return error_response(403, error.message)
    if isinstance(error, Throttling):
        response = error_response(429, error.message)
        if error.retry_after:
            response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, IAMError):
        return error_response(error.http_status if error.http_status < 500 else 400, error.message,
                              "invalidValue" if error.http_status == 400 else None)
    if isinstance(error, SCIMException):
        return error_response(error.status, error.detail, error.scim_type or None)
    if isinstance(error, PydanticValidationError):
        first: Error = Error.from_validation_errors(error)[0]
        return error_response(int(first.status or 400), first.detail or "The request is not valid.",
                              first.scim_type or "invalidValue")
    raise error
