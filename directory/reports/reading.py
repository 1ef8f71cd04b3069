"""Reading a stored report back: rows as dicts, streamed from its chunks."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator

from directory.reports.services import report_bytes


def _lines(report_id: int) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    for block in report_bytes(report_id):
        pending += decoder.decode(block)
        *complete, pending = pending.split("\n")
        yield from (line + "\n" for line in complete)
    if pending:
        yield pending


def iter_rows(report_id: int) -> Iterator[dict[str, str]]:
    """Every row of the report as {column: value}, in the report's order, in constant memory."""
    yield from csv.DictReader(_lines(report_id))
