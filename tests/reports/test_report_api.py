"""REST: POST/GET /api/v1/credential-report with AWS's states and errors, and the report history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from directory.models import CredentialReport
from directory.reports import services
from tests.reports.helpers import generate_now, parse_rows

URL = "/api/v1/credential-report"


def age_report(report: CredentialReport, **delta) -> None:
    CredentialReport.objects.filter(pk=report.pk).update(generated_at=timezone.now() - timedelta(**delta))


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_get_before_any_report_is_410_report_not_present(root_api):
    assert error_of(root_api.get(URL)) == (410, "ReportNotPresent")


def test_first_post_starts_a_job_and_get_answers_report_in_progress_until_it_is_done(root_api):
    response = root_api.post(URL)
    assert response.status_code == 200
    assert response.json() == {"state": "STARTED",
                                "description": "No report exists. Starting a new report generation task"}
    assert root_api.post(URL).json()["state"] == "INPROGRESS"
    assert error_of(root_api.get(URL)) == (404, "ReportInProgress")
    job = CredentialReport.objects.get()
    assert services.run_report_job(job.pk) is True
    response = root_api.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    job.refresh_from_db()
    assert response["X-IAM-Generated-Time"] == job.generated_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    body = b"".join(response.streaming_content).decode()
    assert int(response["Content-Length"]) == len(body.encode()) == job.size_bytes
    assert [row["user"] for row in parse_rows(body)] == ["<root_account>"]


def test_a_report_younger_than_four_hours_is_returned_complete_instead_of_a_new_job(root_api, root_caller):
    report = generate_now(root_caller)
    age_report(report, hours=3, minutes=59)
    assert root_api.post(URL).json() == {"state": "COMPLETE", "description": "The credential report is ready."}
    assert CredentialReport.objects.count() == 1


def test_a_report_four_hours_old_is_replaced_by_a_new_job(root_api, root_caller):
    report = generate_now(root_caller)
    age_report(report, hours=4, seconds=1)
    assert root_api.post(URL).json()["state"] == "STARTED"
    assert CredentialReport.objects.filter(state="INPROGRESS").count() == 1
    # The older report is still served while the new one is generated.
    assert root_api.get(URL).status_code == 200


def test_get_answers_410_report_expired_when_the_newest_is_older_than_the_configured_age(root_api, root_caller,
                                                                                        settings):
    settings.IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS = 3600
    report = generate_now(root_caller)
    age_report(report, hours=1, seconds=1)
    assert error_of(root_api.get(URL)) == (410, "ReportExpired")
    root_api.post(URL)
    assert error_of(root_api.get(URL)) == (404, "ReportInProgress")


@pytest.mark.parametrize("method,path", [("post", URL), ("get", URL), ("get", "/api/v1/credential-reports/")])
def test_a_user_without_permission_is_denied(user_api, root_caller, method, path):
    generate_now(root_caller)
    _, client = user_api("mallory")
    response = getattr(client, method)(path)
    assert error_of(response) == (403, "AccessDenied")
    assert "iam:GenerateCredentialReport" in response.json()["error"]["message"] or \
        "iam:GetCredentialReport" in response.json()["error"]["message"]


def test_anonymous_callers_get_403(client):
    assert client.post(URL).status_code == 403
    assert client.get("/api/v1/credential-reports/").status_code == 403


def test_generate_is_audited(root_api):
    root_api.post(URL)
    event = AuditEvent.objects.get(event_name="GenerateCredentialReport")
    assert event.outcome == "Success"
    assert event.response_elements["state"] == "STARTED"


def test_history_is_paginated_newest_first_and_each_report_downloads_by_id(root_api, root_caller, make_user):
    first = generate_now(root_caller)
    age_report(first, hours=5)
    make_user("alice")
    second = generate_now(root_caller)
    age_report(second, hours=5)
    third = generate_now(root_caller)
    page = root_api.get("/api/v1/credential-reports/?max_items=2").json()
    assert [item["report_id"] for item in page["credential_reports"]] == [third.pk, second.pk]
    assert page["is_truncated"] is True
    assert page["credential_reports"][0]["row_count"] == 2
    assert page["credential_reports"][0]["download"] == f"/api/v1/credential-reports/{third.pk}"
    rest = root_api.get(f"/api/v1/credential-reports/?max_items=2&marker={page['marker']}").json()
    assert [item["report_id"] for item in rest["credential_reports"]] == [first.pk]
    assert rest["is_truncated"] is False and rest["marker"] is None
    response = root_api.get(f"/api/v1/credential-reports/{first.pk}")
    assert [row["user"] for row in parse_rows(b"".join(response.streaming_content).decode())] == ["<root_account>"]


def test_reports_past_the_history_are_hidden_and_cannot_be_downloaded(root_api, root_caller, settings):
    settings.IAM_CREDENTIAL_REPORT_HISTORY_DAYS = 30
    old = generate_now(root_caller)
    age_report(old, days=30, seconds=1)
    assert root_api.get("/api/v1/credential-reports/").json()["credential_reports"] == []
    assert error_of(root_api.get(f"/api/v1/credential-reports/{old.pk}")) == (404, "NoSuchEntity")
    assert error_of(root_api.get(URL)) == (410, "ReportNotPresent")
