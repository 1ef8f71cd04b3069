"""JSON bodies read against, and answers rendered as, an operation's shapes in botocore's model: the JSON 1.1 and
the REST-JSON doors share them.

Reading: JSON types that do not fit a member are SerializationException, as AWS's JSON services answer; members
the shape does not declare are left out (AWS ignores them); a null member is an absent one. Constraints are checked
after, by iam_console.model_constraints.

Rendering: only the members the output shape declares; timestamps as the shape's `timestampFormat` says, epoch
seconds by default (both protocols' default).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, Shape

from iam_console.errors import IAMError


class SerializationException(IAMError):
    """The body is not JSON, or a member has the wrong JSON type for its shape."""

    code, http_status = "SerializationException", 400


def serialization_error(message: str) -> SerializationException:
    return SerializationException(message)


MAX_DEPTH = 32  # far deeper than any model's shapes; a body nested deeper is refused before it is walked


def read_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise serialization_error("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise serialization_error(f"{_token(value)} can not be converted to a structure")
    return value


def parse_input(shape: Shape | None, body: dict[str, Any]) -> dict[str, Any]:
    if shape is None:
        return {}
    return _structure(shape, body, 0)


def _token(value: Any) -> str:
    """The JSON token a value came from, as AWS's messages name it."""
    if value is None:
        return "NULL_VALUE"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, list):
        return "START_ARRAY"
    return "START_OBJECT"


def _wrong(value: Any, target: str):
    return serialization_error(f"{_token(value)} can not be converted to {target}")


def _structure(shape: Shape, value: Any, depth: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong(value, "a structure")
    members = shape.members
    return {name: _value(members[name], item, depth + 1) for name, item in value.items()
            if name in members and item is not None}


def _value(shape: Shape, value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise serialization_error("The request body is nested too deeply.")
    if getattr(shape, "is_document_type", False):
        return _document(value, depth)  # any JSON value (identitystore's AttributeValue, Extensions)
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, value, depth)
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong(value, "a list")
        return [_value(shape.member, item, depth + 1) for item in value if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            raise _wrong(value, "a map")
        return {key: _value(shape.value, item, depth + 1) for key, item in value.items() if item is not None}
    if kind == "string":
        if not isinstance(value, str):
            raise _wrong(value, "a String")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _wrong(value, "a Boolean")
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(value, "an Integer" if kind == "integer" else "a Long")
        if not -(2 ** 63) <= value < 2 ** 63:
            raise serialization_error("Numeric value out of range.")
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _wrong(value, "a Double")
        return value
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "blob":
        if not isinstance(value, str):
            raise _wrong(value, "a Blob")
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serialization_error("Base64 encoded value is not valid.") from None
    return value


def _document(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise serialization_error("The request body is nested too deeply.")
    if isinstance(value, dict):
        return {key: _document(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_document(item, depth + 1) for item in value]
    return value


def _timestamp(value: Any) -> datetime:
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise _wrong(value, "a Timestamp")


def render_response(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    body = render_value(shape, result) if shape is not None else {}
    return json.dumps(body, separators=(",", ":")).encode()


def render_error(code: str, message: str, fields: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"__type": code, "message": message}
    body.update(fields or {})
    return json.dumps(body, separators=(",", ":")).encode()


def render_value(shape: Shape, value: Any) -> Any:
    if getattr(shape, "is_document_type", False):
        return value
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {name: render_value(members[name], item) for name, item in value.items()
                if name in members and item is not None}
    if kind == "list":
        return [render_value(shape.member, item) for item in value]
    if kind == "map":
        return {str(key): render_value(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return _render_timestamp(shape, value)
    if kind == "blob":
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    return value


def _render_timestamp(shape: Shape, value: Any) -> Any:
    if not isinstance(value, datetime):
        return value
    if shape.serialization.get("timestampFormat") == "iso8601":
        moment = value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return round(value.timestamp(), 3)
