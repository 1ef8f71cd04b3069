"""Answers rendered as AWS's Query protocol XML, element by element as botocore's output shape declares them."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

# Characters XML 1.0 cannot carry at all: shown as U+FFFD rather than making the whole answer unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    if _SPECIAL.search(value) is None:  # the common case: nothing to escape or replace
        return value
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
    _renderer(shape)(value, parts)


# Each shape is turned once into a function that renders a value of it: the model is walked at the first
# answer, not for every element of every answer.
Renderer = Callable[[Any, list[str]], None]
_RENDERERS: dict[int, Renderer] = {}


def _renderer(shape: Shape) -> Renderer:
    """The function that renders the inside of an element of `shape` (not its own tags)."""
    key = id(shape)
    found = _RENDERERS.get(key)
    if found is None:
        found = _RENDERERS[key] = _build(shape)
        _KEEP.append(shape)  # the id stays this shape's while the cache holds it
    return found


_KEEP: list[Shape] = []


def _element_renderer(shape: Shape, tag: str) -> Renderer:
    """The function that renders a whole element `<tag>…</tag>` (or, for flattened lists, its repetitions)."""
    if shape.type_name == "list":
        item = _element_renderer(shape.member, shape.member.serialization.get("name", "member"))
        if shape.serialization.get("flattened"):
            flat = _element_renderer(shape.member, tag)

            def render_flat(value: Any, parts: list[str]) -> None:
                for entry in value:
                    flat(entry, parts)

            return render_flat
        opening, closing = f"<{tag}>", f"</{tag}>"

        def render_list(value: Any, parts: list[str]) -> None:
            parts.append(opening)
            for entry in value:
                item(entry, parts)
            parts.append(closing)

        return render_list
    inner = _renderer(shape)
    opening, closing = f"<{tag}>", f"</{tag}>"

    def render(value: Any, parts: list[str]) -> None:
        parts.append(opening)
        inner(value, parts)
        parts.append(closing)

    return render


def _build(shape: Shape) -> Renderer:
    kind = shape.type_name
    if kind == "structure":
        members = [(name, _element_renderer(member, member.serialization.get("name", name)))
                   for name, member in shape.members.items()]

        def render_structure(value: dict[str, Any], parts: list[str]) -> None:
            for name, render in members:
                item = value.get(name)
                if item is not None:
                    render(item, parts)

        return render_structure
    if kind == "map":
        key = _element_renderer(shape.key, shape.key.serialization.get("name", "key"))
        val = _element_renderer(shape.value, shape.value.serialization.get("name", "value"))

        def render_map(value: dict[Any, Any], parts: list[str]) -> None:
            for entry_key, entry_value in value.items():
                parts.append("<entry>")
                key(entry_key, parts)
                val(entry_value, parts)
                parts.append("</entry>")

        return render_map
    if kind == "list":  # a list's inside, for a list nested directly in a list (not in IAM's or STS's models)
        item = _element_renderer(shape.member, shape.member.serialization.get("name", "member"))

        def render_items(value: Any, parts: list[str]) -> None:
            for entry in value:
                item(entry, parts)

        return render_items
    if kind == "boolean":
        return lambda value, parts: parts.append("true" if value else "false")
    if kind == "timestamp":
        return lambda value, parts: parts.append(iso8601(value) if isinstance(value, datetime) else _text(str(value)))
    if kind == "blob":
        return lambda value, parts: parts.append(
            base64.b64encode(value.encode() if isinstance(value, str) else value).decode())
    if kind == "string":
        return lambda value, parts: parts.append(_text(value if isinstance(value, str) else str(value)))
    return lambda value, parts: parts.append(_text(str(value)))
