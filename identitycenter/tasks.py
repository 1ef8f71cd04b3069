"""Celery tasks of Identity Center: thin wrappers that pass ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from identitycenter.services import operations

_RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True, "retry_backoff_max": 60,
          "max_retries": 5, "acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="identitycenter.tasks.run_operation", ignore_result=True, **_RETRY)
def run_operation(request_id: str) -> str:
    return operations.run_operation(request_id)


@shared_task(name="identitycenter.tasks.requeue_pending_operations", ignore_result=True, **_RETRY)
def requeue_pending_operations() -> int:
    return operations.requeue_pending()
