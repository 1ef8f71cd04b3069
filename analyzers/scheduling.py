"""Queueing an analyzer's evaluation once the change that calls for it has committed."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 2


def evaluate_soon(analyzer_id: int) -> None:
    """Evaluate the analyzer on a worker after this transaction commits. A broker that cannot take the job now
    loses nothing: the scheduled run re-evaluates every analyzer."""
    transaction.on_commit(lambda: _publish(analyzer_id))


def _publish(analyzer_id: int) -> None:
    from analyzers.tasks import (
        evaluate_analyzer as task,  # tasks import the evaluation, which imports services
    )

    try:
        with task.app.connection_for_write(connect_timeout=PUBLISH_TIMEOUT_SECONDS, transport_options={
                "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS, "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
                "max_retries": 0}) as broker:
            broker.ensure_connection(max_retries=0, timeout=PUBLISH_TIMEOUT_SECONDS)
            task.apply_async(args=[analyzer_id], retry=False, connection=broker)
    except Exception as error:  # noqa: BLE001 - kombu, redis-py and socket errors alike: the broker is out
        logger.warning("analyzer %s could not be queued for evaluation (%s); the scheduled run evaluates it",
                       analyzer_id, error)
