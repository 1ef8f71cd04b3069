"""The JSON door's own errors, and the names AWS's JSON services give the errors every door shares.

An error's body is `{"__type": code, "message": …}` (with any fields the error carries, such as a Reason), its
code repeated in `x-amzn-ErrorType`.
"""

from __future__ import annotations

from iam_console.errors import IAMError


class JsonError(IAMError):
    """An error with the code and HTTP status given where it is raised (the door's protocol errors)."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class ValidationException(IAMError):
    """The input breaks a constraint of the model (required, length, pattern, range, enum)."""

    code, http_status = "ValidationException", 400
