"""Every scheduled job, in one place: the Celery beat schedule that settings hands to Celery."""

from __future__ import annotations

from datetime import timedelta

FOUR_HOURS = timedelta(hours=4)
# A run that has waited this long in the queue is dropped: the next one is due soon, so missed runs never pile up.
_EXPIRES_SLACK = timedelta(minutes=5)


def _every(interval: timedelta, task: str) -> dict:
    return {"task": task, "schedule": interval, "options": {"expires": (interval - _EXPIRES_SLACK).total_seconds()}}


CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "credential-report": _every(FOUR_HOURS, "directory.tasks.scheduled_credential_report"),
    # Report requests whose job could not be queued (Redis was down) run within a minute of its return.
    "requeue-pending-credential-reports": {"task": "directory.tasks.requeue_pending_credential_reports",
                                           "schedule": timedelta(minutes=1), "options": {"expires": 50}},
    "purge-expired-credential-reports": _every(FOUR_HOURS, "directory.tasks.purge_expired_credential_reports"),
    "flag-unused-access-keys": _every(FOUR_HOURS, "directory.tasks.flag_unused_access_keys"),
    "purge-expired-role-sessions": _every(timedelta(hours=1), "sts.tasks.purge_expired_sessions"),
    # Recorded decisions wait in Redis at most a minute before they are folded into the database.
    "flush-decisions": {"task": "evidence.tasks.flush_decisions", "schedule": timedelta(minutes=1),
                        "options": {"expires": 50}},
    # Last-accessed report jobs whose message was lost (the job queue was down) are queued again.
    "requeue-pending-last-accessed-jobs": {"task": "evidence.tasks.requeue_pending_last_accessed_jobs",
                                           "schedule": timedelta(minutes=1), "options": {"expires": 50}},
    # Policy generation jobs whose message was lost, or whose worker died, are queued again.
    "requeue-pending-policy-generations": {"task": "evidence.tasks.requeue_pending_policy_generations",
                                           "schedule": timedelta(minutes=1), "options": {"expires": 50}},
    # Identity Center jobs whose message was lost (the broker was out when they were started).
    # Closed accounts finish closing (PENDING_CLOSURE becomes SUSPENDED) within five minutes, as AWS's do.
    "finish-account-closures": {"task": "organizations.tasks.finish_account_closures",
                                "schedule": timedelta(minutes=5), "options": {"expires": 240}},
    # Access Analyzer's unused-access (and external-access) findings are evaluated again every four hours.
    "evaluate-analyzers": _every(FOUR_HOURS, "analyzers.tasks.evaluate_all_analyzers"),
    # External access findings follow a policy change within ten minutes: analyzers evaluated since are skipped.
    "evaluate-changed-external-access": _every(timedelta(minutes=10),
                                               "analyzers.tasks.evaluate_changed_external_access"),
    "requeue-pending-identity-center-operations": {"task": "identitycenter.tasks.requeue_pending_operations",
                                                   "schedule": timedelta(minutes=1), "options": {"expires": 50}},
}
