"""Evaluating an analyzer: one transaction per analyzer, holding its row lock, so that a worker killed halfway
leaves the findings as they were and two runs of one analyzer never interleave."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from analyzers import external_access, unused_access
from analyzers.models import Analyzer
from analyzers.reconcile import Outcome

logger = logging.getLogger(__name__)


def evaluate(analyzer_id: int) -> Outcome | None:
    """Re-evaluate one analyzer; None when it is gone."""
    with transaction.atomic():
        analyzer = Analyzer.objects.select_for_update().filter(pk=analyzer_id).first()
        if analyzer is None:
            return None
        now = timezone.now()
        if analyzer.is_unused_access:
            outcome = unused_access.evaluate(analyzer, now=now)
        else:
            outcome = external_access.evaluate(analyzer, now=now)
        Analyzer.objects.filter(pk=analyzer.pk).update(last_resource_analyzed_at=now)
        return outcome


def evaluate_all() -> int:
    """Every analyzer, each in its own transaction: one failing does not hold back the rest."""
    done = 0
    for analyzer_id in Analyzer.objects.filter(status=Analyzer.Status.ACTIVE).order_by("pk").values_list(
            "pk", flat=True):
        try:
            evaluate(analyzer_id)
            done += 1
        except Exception:  # noqa: BLE001 - logged; the next scheduled run tries again
            logger.exception("analyzer %s could not be evaluated", analyzer_id)
    return done
