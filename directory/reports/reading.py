"""Reading a stored report back: rows as dicts, streamed from its chunks."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.http import http_date

from directory.models import CredentialReport
from directory.reports.generation import TIMESTAMP_FORMAT
from directory.reports.services import report_bytes

GENERATED_TIME_HEADER = "X-IAM-Generated-Time"


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


def csv_response(report: CredentialReport) -> StreamingHttpResponse:
    """The stored CSV, streamed chunk by chunk, with its generation time in a header."""
    response = StreamingHttpResponse(report_bytes(report.pk), content_type="text/csv")
    response["Content-Length"] = str(report.size_bytes)
    response[GENERATED_TIME_HEADER] = report.generated_at.strftime(TIMESTAMP_FORMAT)
    response["Last-Modified"] = http_date(report.generated_at.timestamp())
    response["Content-Disposition"] = (
        f'attachment; filename="credential-report-{report.generated_at:%Y%m%dT%H%M%SZ}.csv"')
    response["Cache-Control"] = "no-store"
    return response
