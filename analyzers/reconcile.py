"""Turning what an evaluation observed into findings: new ones created (archived at once when an archive rule
matches), ones seen again refreshed, ones no longer seen RESOLVED. Idempotent, so a run repeated or cut short and
retried leaves exactly one finding per key; run it inside the analyzer's transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from analyzers import filters
from analyzers.models import Analyzer, ArchiveRule, Finding

BATCH = 2000


@dataclass(frozen=True)
class Observed:
    """One finding as an evaluation sees it now. `details` is a list of FindingDetails (JSON-ready: timestamps as
    ISO-8601 text, see `iso`)."""

    resource: str
    resource_type: str
    resource_owner_account: str
    finding_type: str
    detail_key: str = ""
    details: list[dict] = field(default_factory=list)
    principal: dict = field(default_factory=dict)
    action: list[str] = field(default_factory=list)
    condition: dict = field(default_factory=dict)
    is_public: bool | None = None
    sources: list[dict] = field(default_factory=list)
    error: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.resource, self.finding_type, self.detail_key)


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int
    resolved: int


_CONTENT = ("details", "principal", "action", "condition", "is_public", "sources", "error")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def reconcile(analyzer: Analyzer, observed: Iterable[Observed], *, finding_types: Collection[str],
              resources: Collection[str] | None = None, now: datetime | None = None) -> Outcome:
    """Make the analyzer's findings of `finding_types` (on `resources`, when given: a scan of some resources only)
    match `observed`. A constant number of queries, whatever the number of findings, but for the batches."""
    now = now or timezone.now()
    scope = Finding.objects.filter(analyzer=analyzer, finding_type__in=list(finding_types))
    if resources is not None:
        scope = scope.filter(resource__in=list(resources))
    existing = {(row.resource, row.finding_type, row.detail_key): row
                for row in scope.only("id", "resource", "finding_type", "detail_key", "status", *_CONTENT)}
    rules = [rule.filter for rule in ArchiveRule.objects.filter(analyzer=analyzer)]
    seen: set[tuple[str, str, str]] = set()
    new: list[Finding] = []
    changed: list[Finding] = []
    for item in observed:
        if item.key in seen:
            continue
        seen.add(item.key)
        row = existing.get(item.key)
        if row is None:
            finding = Finding(analyzer=analyzer, resource=item.resource, resource_type=item.resource_type,
                              resource_owner_account=item.resource_owner_account, finding_type=item.finding_type,
                              detail_key=item.detail_key, created_at=now, updated_at=now, analyzed_at=now,
                              **{name: getattr(item, name) for name in _CONTENT})
            finding.status = _new_status(finding, rules)
            new.append(finding)
            continue
        content_changed = any(getattr(row, name) != getattr(item, name) for name in _CONTENT)
        if content_changed or row.status == Finding.Status.RESOLVED:
            for name in _CONTENT:
                setattr(row, name, getattr(item, name))
            if row.status == Finding.Status.RESOLVED:
                row.status = _new_status(row, rules)  # access granted again: a finding again
            row.updated_at = now
            changed.append(row)
    Finding.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    Finding.objects.bulk_update(changed, ["status", "updated_at", *_CONTENT], batch_size=BATCH)
    scope.exclude(status=Finding.Status.RESOLVED).update(analyzed_at=now)
    gone = [row.id for key, row in existing.items()
            if key not in seen and row.status != Finding.Status.RESOLVED]
    for start in range(0, len(gone), BATCH):
        Finding.objects.filter(id__in=gone[start:start + BATCH]).update(
            status=Finding.Status.RESOLVED, updated_at=now, analyzed_at=now)
    return Outcome(created=len(new), updated=len(changed), resolved=len(gone))


def _new_status(finding: Finding, rules: list[dict]) -> str:
    if any(filters.matches(finding, rule) for rule in rules):
        return Finding.Status.ARCHIVED
    return Finding.Status.ACTIVE
