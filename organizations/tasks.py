"""Celery tasks of the organization: thin wrappers that call its services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from organizations.services.members import finish_closures


@shared_task(name="organizations.tasks.finish_account_closures", autoretry_for=(OperationalError, InterfaceError),
             retry_backoff=True, max_retries=5)
def finish_account_closures() -> int:
    """Accounts that CloseAccount left PENDING_CLOSURE become SUSPENDED, as AWS's do once closure completes."""
    return finish_closures()
