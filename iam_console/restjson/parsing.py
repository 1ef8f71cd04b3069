"""The JSON body of a request read against its input shape. These models' bodies hold strings, lists of strings and
numbers; a member of another JSON type is SerializationException, an undeclared one is ignored, a null one absent."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import Shape

from iam_console.errors import IAMError


class RestJsonError(IAMError):
    """An error with the code and HTTP status given where it is raised (the door's protocol errors)."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class ValidationException(IAMError):
    """The input breaks a constraint of the model (required, length, pattern, range, enum)."""

    code, http_status = "ValidationException", 400


def _wrong(target: str) -> RestJsonError:
    return RestJsonError("SerializationException", f"A member can not be converted to {target}.")


def read_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RestJsonError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise _wrong("a structure")
    return value


def member_value(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong("a list")
        return [member_value(shape.member, item) for item in value if item is not None]
    if kind == "string" and not isinstance(value, str):
        raise _wrong("a String")
    if kind in ("integer", "long") and (isinstance(value, bool) or not isinstance(value, int)
                                        or not -(2 ** 63) <= value < 2 ** 63):
        raise _wrong("an Integer")
    if kind == "boolean" and not isinstance(value, bool):
        raise _wrong("a Boolean")
    if kind not in ("list", "string", "integer", "long", "boolean"):
        raise _wrong(kind)  # no served operation takes another type in its body
    return value
