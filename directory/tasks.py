"""Celery tasks of the directory: thin wrappers that pass IDs and call services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from directory.reports import housekeeping, services

# A database hiccup is retried with back-off; a killed worker's message is redelivered (acks_late and
# reject-on-worker-lost are on), and the job's single transaction guarantees a clean restart.
_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "retry_backoff_max": 300,
          "max_retries": 5, "acks_late": True, "reject_on_worker_lost": True}


# Nobody reads its result (the job's state is in the database), so sending it never touches the result store.
@shared_task(name="directory.tasks.generate_credential_report", ignore_result=True, **_RETRY)
def generate_credential_report(report_id: int) -> bool:
    return services.run_report_job(report_id)


@shared_task(name="directory.tasks.scheduled_credential_report", **_RETRY)
def scheduled_credential_report() -> list[int]:
    """A report for every account: one job each, generated one after the other, each in its own transaction (a
    job a crash leaves INPROGRESS is queued again by the sweep)."""
    report_ids = services.start_scheduled_reports()
    for report_id in report_ids:
        services.run_report_job(report_id)
    return report_ids


@shared_task(name="directory.tasks.requeue_pending_credential_reports", **_RETRY)
def requeue_pending_credential_reports() -> int:
    return services.requeue_pending_jobs()


@shared_task(name="directory.tasks.purge_expired_credential_reports", **_RETRY)
def purge_expired_credential_reports() -> int:
    return housekeeping.purge_expired_reports()


@shared_task(name="directory.tasks.flag_unused_access_keys", **_RETRY)
def flag_unused_access_keys() -> int:
    return housekeeping.flag_unused_access_keys()
