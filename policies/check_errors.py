"""IAM Access Analyzer's errors for its policy checks (accessanalyzer/2019-11-01), one type per code."""

from __future__ import annotations

from typing import Any

from iam_console.errors import IAMError


class ValidationException(IAMError):
    """A policy check's input breaks a constraint of Access Analyzer's model: reason and fieldList say where."""

    code, http_status = "ValidationException", 400

    def __init__(self, message: str, *, field: str | None = None, reason: str = "fieldValidationFailed") -> None:
        fields: dict[str, Any] = {"reason": reason if field else "other"}
        if field:
            fields["fieldList"] = [{"name": field, "message": message}]
        super().__init__(message, details=fields)
        self.fields = fields  # the members of AWS's error shape beside the message


class InvalidParameterException(IAMError):
    """A policy check was given a document that is not a policy it can read."""

    code, http_status = "InvalidParameterException", 400
