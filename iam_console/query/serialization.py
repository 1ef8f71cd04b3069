"""Answers rendered as AWS's Query protocol XML, element by element as botocore's output shape declares them."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

# Characters XML 1.0 cannot carry at all: shown as U+FFFD rather than making the whole answer unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def iso8601(moment: datetime) -> str:
    """AWS's timestamp form: UTC, to the second, with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_response(operation: OperationModel, namespace: str, result: dict[str, Any], request_id: str) -> str:
    name = operation.name
    parts = [f'<{name}Response xmlns="{namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = operation.output_shape.serialization.get("resultWrapper", f"{name}Result")
        parts.append(f"<{wrapper}>")
        _members(shape, result, parts)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
    return "".join(parts)


def render_error(namespace: str, code: str, message: str, *, sender_fault: bool, request_id: str) -> str:
    kind = "Sender" if sender_fault else "Receiver"
    return (f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type><Code>{_text(code)}</Code>'
            f"<Message>{_text(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")


def _members(shape: Shape, value: dict[str, Any], parts: list[str]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        _element(member, member.serialization.get("name", name), item, parts)


def _element(shape: Shape, tag: str, value: Any, parts: list[str]) -> None:
    kind = shape.type_name
    if kind == "list":
        member_tag = shape.member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            for item in value:
                _element(shape.member, tag, item, parts)
            return
        parts.append(f"<{tag}>")
        for item in value:
            _element(shape.member, member_tag, item, parts)
        parts.append(f"</{tag}>")
        return
    parts.append(f"<{tag}>")
    if kind == "structure":
        _members(shape, value, parts)
    elif kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        for key, item in value.items():
            parts.append("<entry>")
            _element(shape.key, key_tag, key, parts)
            _element(shape.value, value_tag, item, parts)
            parts.append("</entry>")
    else:
        parts.append(_scalar(kind, value))
    parts.append(f"</{tag}>")


def _scalar(kind: str, value: Any) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp" and isinstance(value, datetime):
        return iso8601(value)
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return _text(str(value))
