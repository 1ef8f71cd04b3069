"""Analyzers evaluated by a real Celery worker: on CreateAnalyzer and on StartResourceScan, and by the beat entry that
re-evaluates every analyzer every four hours."""

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
