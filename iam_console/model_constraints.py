"""botocore model constraints (required, length, pattern, range, enum), refused in AWS's validation wording.

Every door driven by a model checks its input here: the Query door answers ValidationError, the JSON door
ValidationException, with the same text."""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.model import Shape

from iam_console.errors import IAMError, ValidationError

_ANY = object()


def field_name(parent: str, member: str) -> str:
    """AWS names a field in lower camel case, nested with dots: `tags.1.member.key`."""
    name = member[:1].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


def _shown(shape: Shape, value: Any) -> str:
    if shape.metadata.get("sensitive"):
        return "Value"  # a password or token never appears in an error message
    if value is None:
        return "Value null"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(str(item) for item in value) + "]"
    else:
        text = str(value)
    return f"Value '{text}'"


def _describe(shape: Shape, value: Any, path: str, rule: str) -> str:
    return f"{_shown(shape, value)} at '{path}' failed to satisfy constraint: {rule}"


def _error(problems: list[str], error: type[IAMError] = ValidationError) -> IAMError:
    count = len(problems)
    noun = "validation error" if count == 1 else "validation errors"
    return error(f"{count} {noun} detected: " + "; ".join(problems))


def constraint_error(shape: Shape, value: Any, path: str, rule: str) -> ValidationError:
    return _error([_describe(shape, value, path, rule)])


@functools.cache
def _pattern(source: str) -> re.Pattern | None:
    # The models' patterns are Java regular expressions: `\w` is ASCII there, and a few (\p{…}) have no Python
    # spelling; those are left to the service's own validation rather than refusing valid input.
    try:
        return re.compile(source, re.ASCII | re.DOTALL)
    except re.error:
        return None


def validate_input(shape: Shape | None, params: dict[str, Any], *,
                   error: type[IAMError] = ValidationError) -> None:
    """Raise `error` (the door's validation error) naming every constraint the request breaks, as AWS does."""
    if shape is None:
        return
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    if problems:
        raise _error(problems, error)


def _check_structure(shape: Shape, value: dict, path: str, problems: list[str]) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        child_path = field_name(path, name)
        if name not in value or value[name] is None:
            if name in required:
                problems.append(_describe(member, None, child_path, "Member must not be null"))
            continue
        _check(member, value[name], child_path, problems)


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        _check_structure(shape, value, path, problems)
        return
    if kind == "list":
        _check_size(shape, value, len(value), path, problems)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", problems)
        return
    if kind == "map":
        _check_size(shape, value, len(value), path, problems)
        for key, item in value.items():
            _check(shape.key, key, path, problems)
            if item is not None:
                _check(shape.value, item, path, problems)
        return
    if kind == "string":
        _check_size(shape, value, len(value), path, problems)
        pattern = meta.get("pattern")
        compiled = _pattern(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            problems.append(_describe(shape, value, path, f"Member must satisfy regular expression pattern: {pattern}"))
        if shape.enum and value not in shape.enum:
            problems.append(_describe(shape, value, path,
                                      f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"))
        return
    if kind in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            problems.append(_describe(shape, value, path, f"Member must have value greater than or equal to "
                                                          f"{meta['min']}"))
        if "max" in meta and value > meta["max"]:
            problems.append(_describe(shape, value, path, f"Member must have value less than or equal to "
                                                          f"{meta['max']}"))
        return
    if kind == "blob":
        _check_size(shape, value, len(value), path, problems)


def _check_size(shape: Shape, value: Any, size: int, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    if "min" in meta and size < meta["min"]:
        problems.append(_describe(shape, value, path, f"Member must have length greater than or equal to "
                                                      f"{meta['min']}"))
    if "max" in meta and size > meta["max"]:
        problems.append(_describe(shape, value, path, f"Member must have length less than or equal to "
                                                      f"{meta['max']}"))
