"""IAM Query API: GenerateCredentialReport and GetCredentialReport (the CSV, base64-encoded by the renderer)."""

from __future__ import annotations

from directory.reports import services as reports
from iam_console.query.registry import operation


@operation("iam", "GenerateCredentialReport")
def generate_credential_report(caller, params: dict) -> dict:
    state = reports.generate_credential_report(caller=caller)
    return {"State": state.state, "Description": state.description}


@operation("iam", "GetCredentialReport")
def get_credential_report(caller, params: dict) -> dict:
    report = reports.get_credential_report(caller=caller)
    # The Query protocol carries the report inside one XML element, so it is read whole here (the REST API
    # streams it instead).
    return {"Content": b"".join(reports.report_bytes(report.pk)), "ReportFormat": "text/csv",
            "GeneratedTime": report.generated_at}
