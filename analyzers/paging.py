"""Access Analyzer's nextToken/maxResults pages over an ordered list: an opaque token holding the next offset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from analyzers.errors import invalid
from iam_console.errors import ValidationError
from iam_console.pagination import decode_marker, encode_marker

MAX_RESULTS = 1000


def page(items: QuerySet | Sequence[Any], *, next_token: str | None, max_results: int | None,
         default: int = 100) -> tuple[list[Any], str | None]:
    """(this page's items, the next page's token or None)."""
    if max_results is not None and (isinstance(max_results, bool) or not isinstance(max_results, int)
                                    or not 1 <= max_results <= MAX_RESULTS):
        raise invalid("maxResults", f"maxResults must be between 1 and {MAX_RESULTS}.")
    limit = max_results or default
    try:
        marker = decode_marker(next_token)
        start = int(marker) if marker is not None else 0
    except (ValidationError, ValueError):
        raise invalid("nextToken", "The nextToken is not valid: pass back the one the previous page returned.") \
            from None
    if start < 0:
        raise invalid("nextToken", "The nextToken is not valid: pass back the one the previous page returned.")
    rows = list(items[start:start + limit + 1])
    more = len(rows) > limit
    return rows[:limit], encode_marker(str(start + limit)) if more else None
