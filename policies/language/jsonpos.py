"""Position-tracking JSON reader: text -> JSON nodes that know their 1-based line and column."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

# Deep nesting is never a valid policy; the cap keeps hostile input from exhausting
# the Python stack (the reader is recursive for clarity).
MAX_DEPTH = 64

_WS = re.compile(r"[ \t\n\r]*")
# RFC 8259 string: no raw control characters, only the standard escapes.
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True, slots=True)
class JString:
    value: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JNumber:
    text: str  # kept verbatim: policies compare numbers as written ("10" vs 10.0)
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JBool:
    value: bool
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JNull:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JArray:
    items: tuple[JNode, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class JObject:
    members: tuple[tuple[JString, JNode], ...]  # document order, duplicates kept
    line: int
    column: int


JNode = JString | JNumber | JBool | JNull | JArray | JObject


def type_name(node: JNode) -> str:
    """JSON type name used in messages ("string", "array", ...)."""
    return {
        JString: "string",
        JNumber: "number",
        JBool: "boolean",
        JNull: "null",
        JArray: "array",
        JObject: "object",
    }[type(node)]


class JsonSyntaxError(Exception):
    """Raised internally; ``parse_json`` callers receive it with a position."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        # Offsets at which each line starts; bisect turns an offset into line/column.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line_index = bisect.bisect_right(self.line_starts, offset) - 1
        return line_index + 1, offset - self.line_starts[line_index] + 1

    def fail(self, message: str, offset: int) -> JsonSyntaxError:
        line, column = self.position(offset)
        return JsonSyntaxError(message, line, column)

    def skip_ws(self, offset: int) -> int:
        return _WS.match(self.text, offset).end()  # type: ignore[union-attr]

    def describe(self, offset: int) -> str:
        if offset >= len(self.text):
            return "end of input"
        return repr(self.text[offset])

    def value(self, offset: int, depth: int) -> tuple[JNode, int]:
        text = self.text
        if depth > MAX_DEPTH:
            raise self.fail(f"JSON is nested more than {MAX_DEPTH} levels deep.", offset)
        if offset >= len(text):
            raise self.fail("Unexpected end of input: expected a JSON value.", offset)
        char = text[offset]
        line, column = self.position(offset)
        if char == "{":
            return self.object(offset, depth, line, column)
        if char == "[":
            return self.array(offset, depth, line, column)
        if char == '"':
            value, end = self.string(offset)
            return JString(value, line, column), end
        if text.startswith("true", offset):
            return JBool(True, line, column), offset + 4
        if text.startswith("false", offset):
            return JBool(False, line, column), offset + 5
        if text.startswith("null", offset):
            return JNull(line, column), offset + 4
        match = _NUMBER.match(text, offset)
        if match:
            return JNumber(match.group(), line, column), match.end()
        raise self.fail(f"Unexpected character {self.describe(offset)}: expected a JSON value.", offset)

    def string(self, offset: int) -> tuple[str, int]:
        match = _STRING.match(self.text, offset)
        if match is None:
            raise self._string_error(offset)
        raw = match.group()
        if "\\" not in raw:  # no escape: the text between the quotes is the value
            return raw[1:-1], match.end()
        # json.loads decodes escapes (including surrogate pairs) exactly as JSON defines.
        return json.loads(raw), match.end()

    def _string_error(self, start: int) -> JsonSyntaxError:
        text = self.text
        index = start + 1
        while index < len(text):
            char = text[index]
            if char == '"':
                break
            if char == "\\":
                if not re.match(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})', text[index : index + 6]):
                    return self.fail("Invalid escape sequence in string.", index)
                index += 2 if text[index + 1] != "u" else 6
                continue
            if ord(char) < 0x20:
                return self.fail("Control character in string: escape it or remove it.", index)
            index += 1
        return self.fail("Unterminated string: add the closing double quote.", start)

    def object(self, offset: int, depth: int, line: int, column: int) -> tuple[JObject, int]:
        members: list[tuple[JString, JNode]] = []
        offset = self.skip_ws(offset + 1)
        if offset < len(self.text) and self.text[offset] == "}":
            return JObject((), line, column), offset + 1
        while True:
            if offset >= len(self.text) or self.text[offset] != '"':
                raise self.fail(f"Unexpected {self.describe(offset)}: expected a double-quoted key.", offset)
            key_line, key_column = self.position(offset)
            key, offset = self.string(offset)
            offset = self.skip_ws(offset)
            if offset >= len(self.text) or self.text[offset] != ":":
                raise self.fail(f"Unexpected {self.describe(offset)}: expected ':' after key.", offset)
            offset = self.skip_ws(offset + 1)
            node, offset = self.value(offset, depth + 1)
            members.append((JString(key, key_line, key_column), node))
            offset = self.skip_ws(offset)
            if offset < len(self.text) and self.text[offset] == ",":
                offset = self.skip_ws(offset + 1)
                continue
            if offset < len(self.text) and self.text[offset] == "}":
                return JObject(tuple(members), line, column), offset + 1
            raise self.fail(f"Unexpected {self.describe(offset)}: expected ',' or '}}'.", offset)

    def array(self, offset: int, depth: int, line: int, column: int) -> tuple[JArray, int]:
        items: list[JNode] = []
        offset = self.skip_ws(offset + 1)
        if offset < len(self.text) and self.text[offset] == "]":
            return JArray((), line, column), offset + 1
        while True:
            node, offset = self.value(offset, depth + 1)
            items.append(node)
            offset = self.skip_ws(offset)
            if offset < len(self.text) and self.text[offset] == ",":
                offset = self.skip_ws(offset + 1)
                continue
            if offset < len(self.text) and self.text[offset] == "]":
                return JArray(tuple(items), line, column), offset + 1
            raise self.fail(f"Unexpected {self.describe(offset)}: expected ',' or ']'.", offset)


def parse_json(text: str) -> JNode:
    """Parse strict RFC 8259 JSON; raise JsonSyntaxError (with position) on bad input."""
    reader = _Reader(text)
    # A UTF-8 byte order mark is tolerated the way most JSON tooling tolerates it.
    offset = reader.skip_ws(1 if text.startswith("\ufeff") else 0)
    node, offset = reader.value(offset, 0)
    offset = reader.skip_ws(offset)
    if offset != len(text):
        raise reader.fail(f"Unexpected {reader.describe(offset)} after the end of the JSON document.", offset)
    return node
