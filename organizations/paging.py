"""Organizations' NextToken/MaxResults pages: a keyset on a unique column, behind an opaque token."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from iam_console.errors import ValidationError
from iam_console.pagination import decode_marker, encode_marker
from organizations.errors import invalid_input

DEFAULT_MAX_RESULTS = 20


def page(queryset: QuerySet, *, key: str, next_token: str | None, max_results: int | None) -> tuple[list[Any], str | None]:
    """(items, the next page's token or None): `key` a unique column the rows are ordered by."""
    limit = max_results or DEFAULT_MAX_RESULTS
    try:
        after = decode_marker(next_token)
    except ValidationError:
        raise invalid_input("INVALID_PAGINATION_TOKEN", "The NextToken is not valid: pass back the one the "
                                                        "previous page returned.") from None
    if after is not None and "\x00" in after:
        raise invalid_input("INVALID_PAGINATION_TOKEN", "The NextToken is not valid.")
    if after is not None:
        try:
            queryset = queryset.filter(**{f"{key}__gt": after})
        except (ValueError, TypeError):  # a token forged for a numeric key
            raise invalid_input("INVALID_PAGINATION_TOKEN", "The NextToken is not valid.") from None
    rows = list(queryset.order_by(key)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_marker(str(getattr(rows[-1], key))) if more and rows else None
