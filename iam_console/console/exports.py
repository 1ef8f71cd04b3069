"""CSV exports of console lists: the rows the page shows, as a spreadsheet-safe download."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# An export holds at most this many rows: a page of a list, not a dump (the API pages through everything).
CSV_MAX = 1000
# A cell starting with one of these is a formula to spreadsheet programs: prefix it so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(name: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(value) for value in row])
    return response
