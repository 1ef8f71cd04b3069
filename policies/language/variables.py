"""Policy variables: ${key}, ${key, 'default'} and the ${*} ${?} ${$} escapes."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# IAM User Guide: IAM policy elements: Variables and tags — "${key}" or, with a
# default, "${key, 'default value'}" (whitespace around the comma is ignored).
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_KEY = re.compile(r"^[A-Za-z0-9._:/@+=\-]+$")
# Special characters that would otherwise be read as wildcards or variable syntax.
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-cased: context keys are case-insensitive
    default: str | None
    text: str  # as written, for messages


Part = str | Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A string split into literal text and variables, e.g. "user/" + ${aws:username}."""

    parts: tuple[Part, ...]
    # Same parts with literal text pre-translated to regex source (wildcards honoured),
    # so matching a pattern only has to escape the substituted values.
    regex_parts: tuple[Part, ...] = ()
    # True when the literal text has * or ?; otherwise matching is plain string equality.
    has_wildcards: bool = False

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.parts if isinstance(p, Variable))


class VariableError(ValueError):
    """A ${...} that is not a valid variable reference."""


@lru_cache(maxsize=8192)
def parse_template(text: str) -> Template | None:
    """The template for text containing variables; None when it has none.

    Raises VariableError for malformed references such as "${}".
    """
    if "${" not in text:
        return None
    parts: list[Part] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        inner = match.group(1)
        if inner in _ESCAPES:
            parts.append(Variable("", _ESCAPES[inner], match.group()))  # key "" = literal char
        else:
            parts.append(_variable(inner, match.group()))
        position = match.end()
    if "${" in text[position:]:
        raise VariableError(f"unterminated policy variable in {text!r}")
    if position < len(text):
        parts.append(text[position:])
    regex_parts = tuple(_wildcard_source(p) if isinstance(p, str) else p for p in parts)
    wild = any(isinstance(p, str) and ("*" in p or "?" in p) for p in parts)
    return Template(tuple(parts), regex_parts, wild)


def _wildcard_source(literal: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in literal)


def _variable(inner: str, text: str) -> Variable:
    defaulted = _WITH_DEFAULT.match(inner)
    key, default = (defaulted.group(1), defaulted.group(2)) if defaulted else (inner.strip(), None)
    if not key or not _KEY.match(key) or ":" not in key:
        raise VariableError(f"{text} is not a valid policy variable (expected ${{service:key}})")
    return Variable(key.lower(), default, text)


def context_string(value: Any) -> str | None:
    """A single context value as the text a variable expands to; None if not single-valued.

    IAM User Guide: Variables — multivalued keys cannot be used as variables.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, _dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
        return aware.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, (list, tuple, set, frozenset)):
        return None
    return str(value)


def resolve(variable: Variable, context: Mapping[str, Any]) -> str | None:
    """The value substituted for a variable, or None: then the element does not match."""
    if variable.key == "":
        return variable.default
    value = context_string(context.get(variable.key))
    return variable.default if value is None else value


def render(template: Template, context: Mapping[str, Any]) -> str | None:
    """Plain substitution (for equality operators); None if a variable is unresolved."""
    out = []
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            value = resolve(part, context)
            if value is None:
                return None
            out.append(value)
    return "".join(out)


def render_pattern(template: Template, context: Mapping[str, Any]) -> str | None:
    """Regex source: literal parts keep their * and ? wildcards; substituted values and
    ${*}/${?} escapes match only themselves."""
    out = []
    for part in template.regex_parts:
        if part.__class__ is str:
            out.append(part)  # type: ignore[arg-type]
        else:
            value = resolve(part, context)
            if value is None:
                return None
            out.append(re.escape(value))
    return "".join(out)
