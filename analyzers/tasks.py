"""Celery tasks of the analyzers app: thin wrappers that pass ids and call the evaluation."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from analyzers import evaluation, external_refresh

# A database hiccup is retried with back-off; a killed worker's message is redelivered (the evaluation is one
# transaction per analyzer and idempotent, so running it again is safe).
_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "retry_backoff_max": 300,
          "max_retries": 5, "acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="analyzers.tasks.evaluate_analyzer", ignore_result=True, **_RETRY)
def evaluate_analyzer(analyzer_id: int) -> None:
    evaluation.evaluate(analyzer_id)


@shared_task(name="analyzers.tasks.evaluate_all_analyzers", **_RETRY)
def evaluate_all_analyzers() -> int:
    return evaluation.evaluate_all()


@shared_task(name="analyzers.tasks.evaluate_changed_external_access", **_RETRY)
def evaluate_changed_external_access() -> int:
    return external_refresh.evaluate_changed()
