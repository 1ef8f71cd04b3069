"""Answers rendered as the operation's output shape says: only declared members, timestamps as epoch seconds."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, Shape


def render_response(operation: OperationModel, result: dict[str, Any]) -> bytes:
    shape = operation.output_shape
    body = _value(shape, result) if shape is not None else {}
    return json.dumps(body, separators=(",", ":")).encode()


def render_error(code: str, message: str, fields: dict[str, Any] | None = None) -> bytes:
    body: dict[str, Any] = {"__type": code, "message": message}
    body.update(fields or {})
    return json.dumps(body, separators=(",", ":")).encode()


def _value(shape: Shape, value: Any) -> Any:
    if getattr(shape, "is_document_type", False):
        return value
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {name: _value(members[name], item) for name, item in value.items()
                if name in members and item is not None}
    if kind == "list":
        return [_value(shape.member, item) for item in value]
    if kind == "map":
        return {str(key): _value(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return round(value.timestamp(), 3) if isinstance(value, datetime) else value
    if kind == "blob":
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    return value
