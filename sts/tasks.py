"""Celery tasks of STS: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from sts import services


@shared_task(name="sts.tasks.purge_expired_sessions", autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, retry_backoff_max=300, max_retries=5, acks_late=True)
def purge_expired_sessions() -> int:
    return services.purge_expired_sessions()
