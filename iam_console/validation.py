"""IAM's rules for names, paths and tags, raising InvalidInput / ValidationError with what to fix."""

from __future__ import annotations

import re

from iam_console.errors import InvalidInput, ValidationError

NAME_PATTERN = re.compile(r"[\w+=,.@-]+", re.ASCII)
PATH_PATTERN = re.compile(r"(/)|(/[\u0021-\u007E]+/)")
TAG_PATTERN = re.compile(r"[\w\s.:/=+\-@]*")

USER_NAME_MAX = 64
GROUP_NAME_MAX = 128
PATH_MAX = 512
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_PER_ENTITY = 50


def validate_name(value: object, *, field: str, max_length: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} is required: 1 to {max_length} characters from letters, digits and +=,.@_-")
    if len(value) > max_length:
        raise ValidationError(
            f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {max_length}"
        )
    if not NAME_PATTERN.fullmatch(value):
        raise ValidationError(
            f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
        )
    return value


def validate_path(value: object, *, field: str = "path") -> str:
    if value is None or value == "":
        return "/"
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string such as / or /engineering/")
    if len(value) > PATH_MAX:
        raise ValidationError(f"{field} must be at most {PATH_MAX} characters long")
    if not PATH_PATTERN.fullmatch(value):
        raise ValidationError(
            f"1 validation error detected: Value '{value[:80]}' at '{field}' failed to satisfy constraint: "
            "Member must begin and end with / and contain only printable ASCII characters, such as /division/team/"
        )
    return value


def validate_path_prefix(value: object) -> str:
    if value is None or value == "":
        return "/"
    if not isinstance(value, str) or not value.startswith("/") or len(value) > PATH_MAX:
        raise ValidationError("path_prefix must begin with / and be at most 512 characters, such as /engineering/")
    if not re.fullmatch(r"/[\u0021-\u007E]*", value):
        raise ValidationError("path_prefix may contain only printable ASCII characters")
    return value


def validate_tags(tags: object) -> dict[str, str]:
    """Validate [{"key", "value"}] (or {"Key", "Value"}) and return {key: value}; keys compare case-insensitively."""
    if not isinstance(tags, list):
        raise ValidationError("tags must be a list of {\"key\": ..., \"value\": ...} objects")
    result: dict[str, str] = {}
    seen: set[str] = set()
    for index, tag in enumerate(tags):
        if not isinstance(tag, dict):
            raise ValidationError(f"tags[{index}] must be an object with key and value")
        key = tag.get("key", tag.get("Key"))
        value = tag.get("value", tag.get("Value", ""))
        key = validate_tag_key(key, index=index)
        if not isinstance(value, str) or len(value) > TAG_VALUE_MAX or not TAG_PATTERN.fullmatch(value):
            raise ValidationError(
                f"tags[{index}].value must be at most {TAG_VALUE_MAX} characters of letters, digits, spaces and _.:/=+-@"
            )
        if key.lower() in seen:
            raise InvalidInput(f"Duplicate tag key '{key}': tag keys are case-insensitive and must be unique")
        seen.add(key.lower())
        result[key] = value
    return result


def validate_tag_key(key: object, *, index: int | None = None) -> str:
    where = f"tags[{index}].key" if index is not None else "tag key"
    if not isinstance(key, str) or not key or len(key) > TAG_KEY_MAX or not TAG_PATTERN.fullmatch(key):
        raise ValidationError(
            f"{where} must be 1 to {TAG_KEY_MAX} characters of letters, digits, spaces and _.:/=+-@"
        )
    if key.lower().startswith("aws:"):
        raise InvalidInput(f"{where} '{key}' uses the reserved prefix aws:")
    return key
