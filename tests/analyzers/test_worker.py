"""Analyzers evaluated by a real Celery worker: on CreateAnalyzer and on StartResourceScan, and by the beat entry that
re-evaluates every analyzer every four hours; a worker killed mid-evaluation leaves the findings as they were, and
the evaluation run again makes each finding once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from analyzers.models import Analyzer, Finding
from analyzers.services import analyzers, findings
from directory.models import AccessKey, User
from iam_console.celery import app
from tests.reports.conftest import wait_for
from tests.support.database import raw_connection

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _age_everything(days: int) -> None:
    long_ago = timezone.now() - timedelta(days=days)
    User.objects.filter(is_superuser=False).update(create_date=long_ago)
    AccessKey.objects.update(create_date=long_ago)


def test_a_new_analyzer_and_a_scan_are_evaluated_by_the_worker(root_caller, make_user, start_worker):
    alice = make_user("alice", access_key=True)
    _age_everything(days=100)
    start_worker()
    analyzer = analyzers.create_analyzer(caller=root_caller, analyzer_name="unused", type="ACCOUNT_UNUSED_ACCESS")
    found = wait_for(lambda: list(Finding.objects.filter(analyzer=analyzer)))
    assert [(f.finding_type, f.detail_key, f.status) for f in found] == [
        ("UnusedIAMUserAccessKey", alice.test_access_key[0], "ACTIVE")]
    assert wait_for(lambda: Analyzer.objects.get(pk=analyzer.pk).last_resource_analyzed_at)

    AccessKey.objects.update(last_used_date=timezone.now())
    findings.start_resource_scan(caller=root_caller, analyzer_arn=analyzer.arn, resource_arn=alice.arn)
    wait_for(lambda: Finding.objects.filter(analyzer=analyzer, status="RESOLVED").exists())
    assert Finding.objects.filter(analyzer=analyzer).count() == 1


def test_the_beat_entry_re_evaluates_every_analyzer_every_four_hours():
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-analyzers"]
    assert entry["task"] == "analyzers.tasks.evaluate_all_analyzers"
    assert entry["schedule"] == timedelta(hours=4)
    assert 0 < entry["options"]["expires"] < timedelta(hours=4).total_seconds()
    assert "analyzers.tasks.evaluate_all_analyzers" in app.tasks


def _evaluations_waiting(probe) -> int:
    return probe.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND wait_event_type = 'Lock' AND query LIKE '%%evidence_actionusage%%'").fetchone()[0]


def test_a_worker_killed_mid_evaluation_leaves_no_half_state(root_caller, make_user, start_worker):
    for n in range(5):
        make_user(f"user{n}", access_key=True)
    _age_everything(days=100)
    # The blocker's lock lapses on its own if this test dies before releasing it.
    blocker = raw_connection(options="-c idle_in_transaction_session_timeout=60000")
    probe = raw_connection(autocommit=True)
    with blocker, probe:
        # Hold the worker inside the analyzer's transaction: it reads the decision record, locked here.
        blocker.execute("LOCK TABLE evidence_actionusage IN ACCESS EXCLUSIVE MODE")
        worker = start_worker()
        analyzer = analyzers.create_analyzer(caller=root_caller, analyzer_name="unused",
                                             type="ACCOUNT_UNUSED_ACCESS")
        wait_for(lambda: _evaluations_waiting(probe) == 1)
        worker.kill()
        blocker.rollback()
        wait_for(lambda: _evaluations_waiting(probe) == 0)
    assert not Finding.objects.exists()
    assert Analyzer.objects.get(pk=analyzer.pk).last_resource_analyzed_at is None

    start_worker()
    for _ in range(2):  # the scheduled run, twice: the second finds the same findings and adds none
        assert app.send_task("analyzers.tasks.evaluate_all_analyzers").get(timeout=30) == 1
    assert Finding.objects.filter(analyzer=analyzer, status="ACTIVE").count() == 5
