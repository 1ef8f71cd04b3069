"""What the evidence app's jobs share: queueing one, claiming it in a worker, and the sweep that queues again the
jobs whose message was lost (the job queue was out) or whose worker died."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import redis
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from evidence import recording

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 0.4
IN_PROGRESS = "IN_PROGRESS"
# A job no worker has started this long after it was asked for (its message was lost) is queued again.
REQUEUE_AFTER = timedelta(seconds=60)
# A job still running this long after it was asked for lost its worker: queued again.
STALLED_AFTER = timedelta(minutes=15)


def publish(task, job_id: str, what: str) -> None:
    """Queue `task` for job `job_id`, waiting on the broker no longer than a request can afford."""
    try:
        with task.app.connection_for_write(connect_timeout=PUBLISH_TIMEOUT_SECONDS, transport_options={
                "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS, "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
                "max_retries": 0}) as broker:
            broker.ensure_connection(max_retries=0, timeout=PUBLISH_TIMEOUT_SECONDS)
            task.apply_async(args=[job_id], retry=False, connection=broker)
    except Exception as error:  # noqa: BLE001 - kombu, redis-py and socket errors alike: the broker is out
        logger.warning("%s %s could not be queued (%s); the sweep queues it again", what, job_id, error)


@contextmanager
def claimed(model: type[models.Model], job_id: str, what: str) -> Iterator[models.Model | None]:
    """Job `job_id` still in progress, locked for the block (None when it is finished, canceled or gone), with
    every decision recorded so far folded in first.

    The block stores the job's result in the transaction holding the lock: a worker killed half-way leaves the
    job IN_PROGRESS for the sweep, and a second worker given it waits, then finds it done."""
    model.objects.filter(job_id=job_id, status=IN_PROGRESS).update(attempts=F("attempts") + 1)
    try:
        recording.flush()
    except redis.RedisError as error:  # Redis is out: decisions went to the database meanwhile
        logger.warning("%s %s: recorded decisions could not be flushed (%s)", what, job_id, error)
    with transaction.atomic():
        job = model.objects.select_for_update().filter(job_id=job_id).first()
        yield job if job is not None and job.status == IN_PROGRESS else None


def requeue_pending(model: type[models.Model], asked_at: str, queue: Callable[[str], None]) -> int:
    """Queue again every job whose message was lost or whose worker died. Returns how many."""
    now = timezone.now()
    due = []
    with transaction.atomic():
        pending = model.objects.select_for_update(skip_locked=True).filter(status=IN_PROGRESS)
        for job in pending:  # a job a worker is building is locked, and skipped
            waited = now - getattr(job, asked_at)
            if (job.attempts == 0 and waited >= REQUEUE_AFTER) or waited >= STALLED_AFTER:
                due.append(str(job.job_id))
    for job_id in due:
        queue(job_id)
    return len(due)
