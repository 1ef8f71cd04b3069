"""Access Analyzer's errors: each carries the members AWS's answer has (resourceId, resourceType, reason…)."""

from __future__ import annotations

from typing import Any

from iam_console.errors import IAMError


class AccessAnalyzerError(IAMError):
    """An Access Analyzer refusal; `fields` are rendered beside the message."""

    http_status = 400

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields


class ValidationException(AccessAnalyzerError):
    code = "ValidationException"


class ConflictException(AccessAnalyzerError):
    code, http_status = "ConflictException", 409


class ResourceNotFoundException(AccessAnalyzerError):
    code, http_status = "ResourceNotFoundException", 404


class ServiceQuotaExceededException(AccessAnalyzerError):
    code, http_status = "ServiceQuotaExceededException", 402


class AccessDeniedException(AccessAnalyzerError):
    code, http_status = "AccessDeniedException", 403


def invalid(name: str, message: str, *, reason: str = "fieldValidationFailed") -> ValidationException:
    """A ValidationException naming the field at fault, as AWS's fieldList does."""
    return ValidationException(message, reason=reason, fieldList=[{"name": name, "message": message}])


def not_found(resource_id: str, resource_type: str, message: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(message, resourceId=resource_id, resourceType=resource_type)


def conflict(resource_id: str, resource_type: str, message: str) -> ConflictException:
    return ConflictException(message, resourceId=resource_id, resourceType=resource_type)


def quota_exceeded(resource_id: str, resource_type: str, message: str) -> ServiceQuotaExceededException:
    return ServiceQuotaExceededException(message, resourceId=resource_id, resourceType=resource_type)
