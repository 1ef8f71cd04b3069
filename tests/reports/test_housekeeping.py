"""Housekeeping: reports past their history are purged; access keys unused for 90 days are flagged once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEvent
from directory.models import AccessKey, CredentialReport, CredentialReportChunk, UnusedAccessKeyFlag
from directory.reports import housekeeping, services
from tests.reports.helpers import generate_now


def test_purge_deletes_reports_past_the_history_with_their_chunks_and_keeps_the_rest(root_caller, settings):
    settings.IAM_CREDENTIAL_REPORT_HISTORY_DAYS = 30
    old = generate_now(root_caller)
    CredentialReport.objects.filter(pk=old.pk).update(generated_at=timezone.now() - timedelta(days=31))
    recent = generate_now(root_caller)
    assert housekeeping.purge_expired_reports() == 1
    assert list(CredentialReport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert set(CredentialReportChunk.objects.values_list("report_id", flat=True)) == {recent.pk}
    assert AuditEvent.objects.get(event_name="PurgeCredentialReports").response_elements == {"report_ids": [old.pk]}
    assert housekeeping.purge_expired_reports() == 0


def test_keys_unused_for_90_days_are_flagged_and_audited_once(root, make_user):
    now = timezone.now()
    idle = make_user("idle", access_key=True)
    fresh = make_user("fresh", access_key=True)
    never = make_user("never", access_key=True)
    disabled = make_user("disabled", access_key=True)
    AccessKey.objects.filter(user=idle).update(create_date=now - timedelta(days=200),
                                               last_used_date=now - timedelta(days=91))
    AccessKey.objects.filter(user=fresh).update(create_date=now - timedelta(days=200),
                                                last_used_date=now - timedelta(days=89))
    AccessKey.objects.filter(user=never).update(create_date=now - timedelta(days=90, seconds=1))
    AccessKey.objects.filter(user=disabled).update(create_date=now - timedelta(days=300), status="Inactive")
    AccessKey.objects.filter(user=root).update(create_date=now)

    assert housekeeping.flag_unused_access_keys() == 2
    flagged = set(UnusedAccessKeyFlag.objects.values_list("access_key__user__user_name", flat=True))
    assert flagged == {"idle", "never"}
    event = AuditEvent.objects.get(event_name="FlagUnusedAccessKeys")
    assert sorted(event.response_elements["access_key_ids"]) == sorted(
        AccessKey.objects.filter(user__in=[idle, never]).values_list("access_key_id", flat=True))
    assert event.resources == ["arn:aws:iam::123456789012:user/idle", "arn:aws:iam::123456789012:user/never"]
    assert event.actor_arn == "arn:aws:iam::system"

    # A second run flags nothing new and writes no second event.
    assert housekeeping.flag_unused_access_keys() == 0
    assert AuditEvent.objects.filter(event_name="FlagUnusedAccessKeys").count() == 1
    assert housekeeping.unused_access_key_count(idle.account_id) == 2

    # Used again: the flag is lifted.
    AccessKey.objects.filter(user=idle).update(last_used_date=now)
    assert housekeeping.flag_unused_access_keys() == 0
    assert housekeeping.unused_access_key_count(idle.account_id) == 1


def test_the_sweep_queues_again_only_jobs_nobody_started_within_the_requeue_delay(
        root, settings, django_capture_on_commit_callbacks):
    settings.IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS = 60
    settings.IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS = 600
    now = timezone.now()
    lost = CredentialReport.objects.create(account_id=root.account_id, requested_by="test",
                                           requested_at=now - timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.requeue_pending_jobs() == 1
    assert len(queued) == 1  # one publish of the lost job, once the sweep commits
    lost.refresh_from_db()
    assert lost.requested_at > now  # and it waits another delay before the next attempt
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.requeue_pending_jobs() == 0
    assert queued == []

    # A job a worker has started is left alone until the job timeout.
    CredentialReport.objects.filter(pk=lost.pk).update(attempts=1, requested_at=now - timedelta(seconds=300))
    assert services.requeue_pending_jobs() == 0
    CredentialReport.objects.filter(pk=lost.pk).update(requested_at=now - timedelta(seconds=601))
    assert services.requeue_pending_jobs() == 1


def test_the_sweep_runs_every_minute():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["requeue-pending-credential-reports"]
    assert entry["task"] == "directory.tasks.requeue_pending_credential_reports"
    assert entry["schedule"] == timedelta(minutes=1)
