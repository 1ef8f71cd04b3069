"""Against a real Celery worker on the real Redis broker: on-demand flow, reuse, one job, killed worker, beat."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections

from directory.models import CredentialReport, CredentialReportChunk
from directory.reports import services
from iam_console.celery import app
from policies.authorization import Caller
from tests.reports.conftest import wait_for
from tests.reports.helpers import parse_rows
from tests.support.database import raw_connection

URL = "/api/v1/credential-report"
pytestmark = [pytest.mark.celery, pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def complete_reports() -> int:
    return CredentialReport.objects.filter(state="COMPLETE").count()


def test_on_demand_report_goes_from_started_to_complete_on_the_worker(root_api, make_user, start_worker):
    for name in ("alice", "bob", "carol"):
        make_user(name, password="Passw0rd!-" + name, access_key=True)
    start_worker()
    assert root_api.post(URL).json()["state"] == "STARTED"
    response = wait_for(lambda: (r := root_api.get(URL)).status_code == 200 and r)
    rows = parse_rows(b"".join(response.streaming_content).decode())
    assert [row["user"] for row in rows] == ["<root_account>", "alice", "bob", "carol"]
    assert all(row["access_key_1_active"] == "true" and row["password_enabled"] == "true" for row in rows[1:])
    # Within four hours the same report is handed back: no second job.
    assert root_api.post(URL).json()["state"] == "COMPLETE"
    assert CredentialReport.objects.count() == 1


def test_report_older_than_four_hours_is_regenerated_by_the_worker(root_api, start_worker):
    start_worker()
    root_api.post(URL)
    first = wait_for(lambda: CredentialReport.objects.filter(state="COMPLETE").first())
    CredentialReport.objects.filter(pk=first.pk).update(generated_at=first.generated_at - timedelta(hours=4))
    assert root_api.post(URL).json()["state"] == "STARTED"
    wait_for(lambda: complete_reports() == 2)
    assert services.newest_report(first.account_id).pk != first.pk


def test_simultaneous_requests_start_exactly_one_job(root, start_worker):
    barrier = threading.Barrier(8)
    states: list[str] = []

    def request() -> None:
        try:
            barrier.wait()
            states.append(services.generate_credential_report(caller=Caller(principal=root)).state)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(states) == ["INPROGRESS"] * 7 + ["STARTED"]
    assert CredentialReport.objects.count() == 1
    start_worker()
    wait_for(lambda: complete_reports() == 1)
    assert CredentialReport.objects.count() == 1


def _report_queries_waiting(probe) -> int:
    return probe.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND query LIKE 'COPY (%%'").fetchone()[0]


def test_a_worker_killed_mid_report_leaves_no_partial_report_and_the_job_is_retried(
        root_api, make_user, start_worker, settings):
    for index in range(20):
        make_user(f"user{index:02d}", access_key=True)
    # The blocker's lock lapses on its own if this test dies before releasing it.
    blocker = raw_connection(options="-c idle_in_transaction_session_timeout=60000")
    probe = raw_connection(autocommit=True)
    with blocker, probe:
        # Hold the worker inside its report transaction: its query reads the password policy, locked here.
        blocker.execute("LOCK TABLE directory_passwordpolicy IN ACCESS EXCLUSIVE MODE")
        worker = start_worker()
        assert root_api.post(URL).json()["state"] == "STARTED"
        wait_for(lambda: _report_queries_waiting(probe) == 1)
        assert root_api.post(URL).json()["state"] == "INPROGRESS"
        assert root_api.get(URL).json()["error"]["code"] == "ReportInProgress"

        worker.kill()
        blocker.rollback()
        # The dead worker's transaction rolls back: nothing it wrote is visible.
        wait_for(lambda: _report_queries_waiting(probe) == 0)
    job = CredentialReport.objects.get()
    assert job.state == "INPROGRESS"
    assert job.attempts == 1
    assert CredentialReportChunk.objects.count() == 0
    assert root_api.get(URL).json()["error"]["code"] == "ReportInProgress"

    # Its message died with the worker; the next request after the job timeout queues the job again.
    settings.IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS = 0
    start_worker()
    assert root_api.post(URL).json()["state"] == "INPROGRESS"
    response = wait_for(lambda: (r := root_api.get(URL)).status_code == 200 and r)
    assert len(parse_rows(b"".join(response.streaming_content).decode())) == 21
    job.refresh_from_db()
    assert (job.state, job.attempts, CredentialReport.objects.count()) == ("COMPLETE", 2, 1)


def test_the_scheduled_task_produces_a_report_of_every_account_on_the_worker(root, make_account, start_worker):
    member = make_account("Member")
    start_worker()
    result = app.send_task("directory.tasks.scheduled_credential_report")
    report_ids = result.get(timeout=30)
    assert len(report_ids) == 2
    wait_for(lambda: CredentialReport.objects.filter(pk__in=report_ids, state="COMPLETE").count() == 2)
    reports = {report.account_id: report for report in CredentialReport.objects.filter(pk__in=report_ids)}
    assert set(reports) == {root.account_id, member.account.pk}
    # Each account's report holds its own root and users only.
    assert (reports[root.account_id].row_count, reports[member.account.pk].row_count) == (1, 1)


def test_beat_schedule_runs_the_report_every_four_hours_and_drops_runs_that_waited_too_long():
    app.loader.import_default_modules()  # what a worker does as it starts: every app's tasks module is imported
    entry = settings.CELERY_BEAT_SCHEDULE["credential-report"]
    assert entry["task"] == "directory.tasks.scheduled_credential_report"
    assert entry["schedule"] == timedelta(hours=4)
    assert 0 < entry["options"]["expires"] < timedelta(hours=4).total_seconds()
    assert app.conf.beat_schedule["credential-report"] == entry
    for name in ("purge-expired-credential-reports", "flag-unused-access-keys"):
        housekeeping = settings.CELERY_BEAT_SCHEDULE[name]
        assert housekeeping["schedule"] == timedelta(hours=4)
        assert housekeeping["options"]["expires"] < timedelta(hours=4).total_seconds()
        assert housekeeping["task"] in app.tasks
    assert entry["task"] in app.tasks
