"""IAM-style pagination: MaxItems plus an opaque Marker, implemented as a keyset on a unique column."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from iam_console.errors import ValidationError

T = TypeVar("T")
MAX_ITEMS_LIMIT = 1000
DEFAULT_MAX_ITEMS = 100
# Markers name one row (a name or an ARN of at most 2,048 characters), base64-encoded: anything longer is forged.
MAX_MARKER_LENGTH = 4096


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    is_truncated: bool
    marker: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def clean_max_items(value: object) -> int:
    if value is None or value == "":
        return DEFAULT_MAX_ITEMS
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(f"max_items must be an integer from 1 to {MAX_ITEMS_LIMIT}") from None
    if not 1 <= number <= MAX_ITEMS_LIMIT:
        raise ValidationError(f"max_items must be from 1 to {MAX_ITEMS_LIMIT}, not {number}")
    return number


def encode_marker(value: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": value}).encode()).decode().rstrip("=")


def decode_marker(marker: str | None) -> str | None:
    if not marker:
        return None
    try:
        if len(marker) > MAX_MARKER_LENGTH:
            raise ValueError("too long")
        padded = marker + "=" * (-len(marker) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError, RecursionError):
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged") from None
    if not isinstance(value, str):
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged")
    return value


def keyset_page(queryset: QuerySet, *, key: str, marker: str | None, max_items: object) -> Page:
    """One page of `queryset` ordered by the unique column `key`, after the row the marker names."""
    limit = clean_max_items(max_items)
    after = decode_marker(marker)
    if after is not None and "\x00" in after:  # no stored key holds one: a forged marker, which PostgreSQL refuses
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged")
    if after is not None:
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    next_marker = encode_marker(getattr(rows[-1], key)) if truncated and rows else None
    return Page(items=rows, is_truncated=truncated, marker=next_marker)
