"""Access Analyzer's errors (accessanalyzer/2019-11-01) for policy generation, with the members they carry."""

from __future__ import annotations

from iam_console.errors import IAMError


class AnalyzerValidation(IAMError):
    """ValidationException: `reason` is one of the model's reasons, `field_list` names the fields to fix."""

    code, http_status = "ValidationException", 400

    def __init__(self, message: str, *, field: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or ("fieldValidationFailed" if field else "other")
        self.field_list = [{"name": field, "message": message}] if field else []

    @property
    def fields(self) -> dict:
        return {"reason": self.reason, **({"fieldList": self.field_list} if self.field_list else {})}


class AnalyzerConflict(IAMError):
    """ConflictException: the resource (`resource_id`, `resource_type`) is in a state that refuses the request."""

    code, http_status = "ConflictException", 409

    def __init__(self, message: str, *, resource_id: str, resource_type: str) -> None:
        super().__init__(message)
        self.resource_id, self.resource_type = resource_id, resource_type

    @property
    def fields(self) -> dict:
        return {"resourceId": self.resource_id, "resourceType": self.resource_type}
