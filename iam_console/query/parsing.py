"""Query protocol requests (`Tags.member.1.Key=k`) turned into the nested values botocore's input shape names."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape

from iam_console.model_constraints import constraint_error, field_name

# A list or map index as SDKs write it: 1, 2, 3 … in ASCII digits. int() alone would take "²" as a digit and fail,
# take "٣" as 3, and refuse 5,000 digits with an error of its own; nine digits are far more than any request holds.
_INDEX = re.compile(r"[1-9][0-9]{0,8}")
_INDEX_RULE = "Member must be indexed 1, 2, 3 … in ASCII digits (at most 9 digits)"
# Numbers as the protocol writes them: ASCII digits, an optional sign, a decimal point and exponent for floats.
_INTEGER = re.compile(r"[-+]?[0-9]{1,19}")
_FLOAT = re.compile(r"[-+]?(?:[0-9]{1,40}(?:\.[0-9]{0,40})?|\.[0-9]{1,40})(?:[eE][-+]?[0-9]{1,3})?")


class _Node:
    """One dotted prefix of the flat parameters: its own value, if sent, and the longer names below it."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, _Node] = {}


def _tree(params: dict[str, str]) -> _Node:
    root = _Node()
    for key, value in params.items():
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, _Node())
        node.value = value
    return root


def parse_input(shape: Shape | None, params: dict[str, str]) -> dict[str, Any]:
    """The request's parameters as the input shape's members (unknown names are ignored, as AWS does)."""
    if shape is None:
        return {}
    return _structure(shape, _tree(params), "")


def _structure(shape: Shape, node: _Node, path: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, member in shape.members.items():
        child = node.children.get(member.serialization.get("name", name))
        if child is not None:
            result[name] = _value(member, child, field_name(path, name))
    return result


def _indexed(shape: Shape, node: _Node, path: str) -> list[_Node]:
    for key in node.children:
        if not _INDEX.fullmatch(key):
            raise constraint_error(shape, key, path, _INDEX_RULE)
    numbered = sorted((int(key), child) for key, child in node.children.items())
    return [child for _, child in numbered]


def _value(shape: Shape, node: _Node, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node, path)
    if kind == "list":
        items = node if shape.serialization.get("flattened") else \
            node.children.get(shape.member.serialization.get("name", "member"))
        if items is None:
            return []
        return [_value(shape.member, child, f"{path}.{index}.member")
                for index, child in enumerate(_indexed(shape, items, path), start=1)]
    if kind == "map":
        entries = node if shape.serialization.get("flattened") else node.children.get("entry")
        result: dict[str, Any] = {}
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        for entry in _indexed(shape, entries, path) if entries is not None else []:
            key, value = entry.children.get(key_name), entry.children.get(value_name)
            if key is not None and key.value is not None:
                result[key.value] = _value(shape.value, value, path) if value is not None else None
        return result
    return _scalar(shape, node.value if node.value is not None else "", path)


def _scalar(shape: Shape, text: str, path: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        if not _INTEGER.fullmatch(text):
            raise constraint_error(shape, text[:64], path, "Member must be a whole number in ASCII digits")
        return int(text)
    if kind in ("float", "double"):
        if not _FLOAT.fullmatch(text):
            raise constraint_error(shape, text[:64], path, "Member must be a number in ASCII digits")
        return float(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise constraint_error(shape, text, path, "Member must be true or false")
        return text.lower() == "true"
    if kind == "timestamp":
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise constraint_error(shape, text, path, "Member must be an ISO 8601 timestamp") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind == "blob":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise constraint_error(shape, text, path, "Member must be base64-encoded") from None
    return text
