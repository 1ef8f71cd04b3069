"""Helpers for report tests: produce a report synchronously and read it back with Python's csv module."""

from __future__ import annotations

import csv
import io

from directory.models import CredentialReport
from directory.reports import services


def generate_now(caller) -> CredentialReport:
    """Start a job through GenerateCredentialReport and run it in this process (the worker's code path)."""
    result = services.generate_credential_report(caller=caller)
    assert result.state == "STARTED"
    assert services.run_report_job(result.report_id) is True
    return CredentialReport.objects.get(pk=result.report_id)


def report_text(report_id: int) -> str:
    return b"".join(services.report_bytes(report_id)).decode()


def parse_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
