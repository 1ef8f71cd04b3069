"""External access findings follow changes: an external access analyzer is evaluated again within minutes of a change
to what it analyses (a trust policy edited, a role created or deleted, an account joining or leaving the zone, a
guardrail changed), as IAM Access Analyzer re-analyses a resource when its policy changes, rather than only at the
next four-hourly run."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db.models import Count, Sum

from analyzers import evaluation
from analyzers.external_access import EXTERNAL_ACCESS_ANALYZERS, analyzer_zone
from analyzers.models import Analyzer
from directory.models import Role
from policies import generation as generations

logger = logging.getLogger(__name__)


def _key(analyzer_id: int) -> str:
    return f"analyzers:external-access:evaluated-state:{analyzer_id}"


def state_of(analyzer: Analyzer, generation: str | None) -> str:
    """A digest of what the analyzer's findings depend on: its zone's accounts, their roles (each trust policy change
    bumps the role's trust_policy_version) and the policy generation (guardrails). Two queries at most, and the
    zone's."""
    zone = analyzer_zone(analyzer)
    roles = Role.objects.filter(account_id__in=sorted(zone.account_ids)).aggregate(
        count=Count("id"), ids=Sum("id"), versions=Sum("trust_policy_version"))
    home = zone.home_organization or ("", frozenset())
    text = "|".join([generation or "", ",".join(sorted(zone.account_ids)), home[0], ",".join(sorted(home[1])),
                     str(roles["count"]), str(roles["ids"]), str(roles["versions"])])
    return hashlib.sha256(text.encode()).hexdigest()


def evaluate_changed() -> int:
    """Evaluate every active external access analyzer whose state changed since its last evaluation here; the number
    evaluated. A cache that lost its keys only costs one evaluation more."""
    generation = generations.current_generation()
    done = 0
    for analyzer in Analyzer.objects.filter(status=Analyzer.Status.ACTIVE, type__in=EXTERNAL_ACCESS_ANALYZERS
                                            ).order_by("pk"):
        state = state_of(analyzer, generation)  # read first: a change during the run calls for another
        if cache.get(_key(analyzer.pk)) == state:
            continue
        try:
            evaluation.evaluate(analyzer.pk)
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            logger.exception("analyzer %s could not be evaluated", analyzer.pk)
            continue
        cache.set(_key(analyzer.pk), state, timeout=None)
        done += 1
    return done
