"""Celery tasks of the evidence app: thin wrappers that pass ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from evidence import last_accessed, policy_generation, recording

# As the directory's jobs: a database hiccup is retried with back-off, a killed worker's message redelivered.
_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "retry_backoff_max": 300,
          "max_retries": 5, "acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="evidence.tasks.flush_decisions", **_RETRY)
def flush_decisions() -> int:
    return recording.flush()


@shared_task(name="evidence.tasks.generate_last_accessed_report", ignore_result=True, **_RETRY)
def generate_last_accessed_report(job_id: str) -> bool:
    return last_accessed.run_job(job_id)


@shared_task(name="evidence.tasks.requeue_pending_last_accessed_jobs", **_RETRY)
def requeue_pending_last_accessed_jobs() -> int:
    return last_accessed.requeue_pending_jobs()


@shared_task(name="evidence.tasks.generate_policy", ignore_result=True, **_RETRY)
def generate_policy(job_id: str) -> bool:
    return policy_generation.run_job(job_id)


@shared_task(name="evidence.tasks.requeue_pending_policy_generations", **_RETRY)
def requeue_pending_policy_generations() -> int:
    return policy_generation.requeue_pending_jobs()
