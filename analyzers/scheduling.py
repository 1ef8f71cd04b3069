"""Queueing an analyzer's evaluation once the change that calls for it has committed."""

from __future__ import annotations

from django.db import transaction

from evidence.jobs import publish


def evaluate_soon(analyzer_id: int) -> None:
    """Evaluate the analyzer on a worker after this transaction commits. A broker that cannot take the job now
    loses nothing: the scheduled run re-evaluates every analyzer."""
    transaction.on_commit(lambda: _publish(analyzer_id))


def _publish(analyzer_id: int) -> None:
    from analyzers.tasks import evaluate_analyzer  # tasks import the evaluation, which imports the services

    publish(evaluate_analyzer, analyzer_id, "analyzer evaluation")
