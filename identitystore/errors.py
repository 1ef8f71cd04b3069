"""The identity store's errors, with AWS's codes (identitystore/2020-06-15) and the members its errors carry."""

from __future__ import annotations

from iam_console.errors import IAMError


class ResourceNotFound(IAMError):
    """A user, group, membership or identity store that does not exist (ResourceType and ResourceId say which)."""

    code, http_status = "ResourceNotFoundException", 404

    def __init__(self, resource_type: str, resource_id: str, message: str | None = None) -> None:
        super().__init__(message or f"{resource_type.replace('_', ' ').title()} not found.",
                         details={"ResourceType": resource_type, "ResourceId": resource_id})
        self.resource_type, self.resource_id = resource_type, resource_id

    @property
    def fields(self) -> dict[str, str]:
        """The members AWS's error carries beside its message (the JSON door sends them)."""
        return {key: value for key, value in self.details.items() if value}


class Conflict(IAMError):
    """A uniqueness claim of the store (UserName, group DisplayName, an ExternalId, a membership) is taken."""

    code, http_status = "ConflictException", 409

    def __init__(self, message: str, reason: str = "UNIQUENESS_CONSTRAINT_VIOLATION") -> None:
        super().__init__(message, details={"Reason": reason})
        self.reason = reason

    @property
    def fields(self) -> dict[str, str]:
        return {"Reason": self.reason}


class Invalid(IAMError):
    """The request does not fit the operation."""

    code, http_status = "ValidationException", 400


class QuotaExceeded(IAMError):
    """A quota of the store (SCIM tokens at once)."""

    code, http_status = "ServiceQuotaExceededException", 409
