"""IAM Identity Center's errors (sso-admin/2020-07-20): one type per code; all are client faults answered with 400,
as the JSON door answers a code whose model declares no status."""

from __future__ import annotations

from iam_console.errors import IAMError


class IdentityCenterError(IAMError):
    http_status = 400
    default_message = ""

    def __init__(self, message: str | None = None, **fields: str) -> None:
        super().__init__(message or self.default_message)
        self.fields = fields  # beside the message: a Reason where AWS gives one


class ResourceNotFoundException(IdentityCenterError):
    """The instance, permission set, assignment or request named does not exist."""

    code, default_message = "ResourceNotFoundException", "The specified resource doesn't exist."


class ConflictException(IdentityCenterError):
    """The request conflicts with the resource's state (a name taken, a permission set in use)."""

    code, default_message = "ConflictException", "The request conflicts with the current state of the resource."


class ValidationException(IdentityCenterError):
    """The request breaks a constraint of Identity Center's model."""

    code, default_message = "ValidationException", "The request failed to satisfy a constraint."


class ServiceQuotaExceededException(IdentityCenterError):
    """The request would exceed one of Identity Center's quotas."""

    code, default_message = "ServiceQuotaExceededException", "The request would exceed a service quota."


class AccessDeniedException(IdentityCenterError):
    """The caller may not perform the Identity Center operation."""

    code, default_message = "AccessDeniedException", "You do not have sufficient access to perform this action."


def not_found(what: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"{what} not found.")
