"""ListFindings(V2), GetFinding(V2), UpdateFindings, GetFindingsStatistics, StartResourceScan."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from analyzers import filters, scheduling
from analyzers.access import EVENT_SOURCE, analyzer_at
from analyzers.errors import invalid, not_found
from analyzers.models import Analyzer, Finding
from analyzers.paging import page
from iam_console.callers import Caller
from iam_console.operations import iam_operation

FINDING_RESOURCE = "AWS::AccessAnalyzer::Finding"
# Sort keys (AWS's attribute names) -> columns.
SORT_KEYS = {"createdAt": "created_at", "updatedAt": "updated_at", "analyzedAt": "analyzed_at",
             "resource": "resource", "resourceType": "resource_type", "resourceOwnerAccount": "resource_owner_account",
             "status": "status", "findingType": "finding_type", "id": "id"}
RESOURCE_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:[^:]*:.*")
_TIMESTAMPS = ("lastAccessed",)


def _check_v1(analyzer: Analyzer) -> None:
    if analyzer.is_unused_access:
        raise invalid("analyzerArn", "ListFindings and GetFinding serve external access analyzers: use "
                                     "ListFindingsV2 and GetFindingV2 for an unused access analyzer.",
                      reason="notSupported")


def _ordered(rows, sort: dict | None):
    if sort is None:
        return rows.order_by("created_at", "id")
    if not isinstance(sort, dict):
        raise invalid("sort", "sort takes attributeName and orderBy.")
    name = sort.get("attributeName") or "createdAt"
    column = SORT_KEYS.get(name) if isinstance(name, str) else None
    if column is None:
        raise invalid("sort.attributeName", f"Findings sort by one of {', '.join(SORT_KEYS)}.")
    order = sort.get("orderBy") or "ASC"
    if order not in ("ASC", "DESC"):
        raise invalid("sort.orderBy", "orderBy is ASC or DESC.")
    prefix = "-" if order == "DESC" else ""
    return rows.order_by(f"{prefix}{column}", f"{prefix}id")


def _listed(analyzer: Analyzer, filter: dict | None, sort: dict | None, next_token: str | None,
            max_results: int | None, *, external_only: bool) -> tuple[list[Finding], str | None]:
    criteria = filters.validate(filter)
    rows = Finding.objects.filter(analyzer=analyzer)
    if external_only:
        rows = rows.filter(finding_type=Finding.Type.EXTERNAL_ACCESS)
    rows, rest = filters.narrow(rows, criteria)
    rows = _ordered(rows, sort)
    if rest:  # external access's maps: matched here, on the rows SQL narrowed down
        return page(filters.select(rows, rest), next_token=next_token, max_results=max_results)
    return page(rows, next_token=next_token, max_results=max_results)


@iam_operation("ListFindings", event_source=EVENT_SOURCE)
def list_findings(*, caller: Caller, analyzer_arn: str, filter: dict | None = None, sort: dict | None = None,
                  next_token: str | None = None, max_results: int | None = None
                  ) -> tuple[list[Finding], str | None]:
    analyzer = analyzer_at(caller, "ListFindings", analyzer_arn)
    _check_v1(analyzer)
    return _listed(analyzer, filter, sort, next_token, max_results, external_only=True)


@iam_operation("ListFindingsV2", event_source=EVENT_SOURCE, action="access-analyzer:ListFindings")
def list_findings_v2(*, caller: Caller, analyzer_arn: str, filter: dict | None = None, sort: dict | None = None,
                     next_token: str | None = None, max_results: int | None = None
                     ) -> tuple[list[Finding], str | None]:
    analyzer = analyzer_at(caller, "ListFindings", analyzer_arn)
    return _listed(analyzer, filter, sort, next_token, max_results, external_only=False)


def _finding(analyzer: Analyzer, finding_id: str) -> Finding:
    try:
        key = uuid.UUID(str(finding_id))
    except ValueError:
        key = None
    finding = Finding.objects.filter(analyzer=analyzer, id=key).first() if key else None
    if finding is None:
        raise not_found(str(finding_id), FINDING_RESOURCE, f"Finding {finding_id} does not exist on analyzer "
                                                            f"{analyzer.name}.")
    return finding


@iam_operation("GetFinding", event_source=EVENT_SOURCE)
def get_finding(*, caller: Caller, analyzer_arn: str, id: str) -> Finding:
    analyzer = analyzer_at(caller, "GetFinding", analyzer_arn)
    _check_v1(analyzer)
    finding = _finding(analyzer, id)
    if not finding.is_external_access:
        raise not_found(str(id), FINDING_RESOURCE, f"Finding {id} is not an external access finding.")
    return finding


def with_timestamps(value: Any) -> Any:
    """Stored details with their lastAccessed text turned back into datetimes."""
    if isinstance(value, list):
        return [with_timestamps(item) for item in value]
    if isinstance(value, dict):
        return {key: (datetime.fromisoformat(item) if key in _TIMESTAMPS and isinstance(item, str)
                      else with_timestamps(item)) for key, item in value.items()}
    return value


@iam_operation("GetFindingV2", event_source=EVENT_SOURCE, action="access-analyzer:GetFinding")
def get_finding_v2(*, caller: Caller, analyzer_arn: str, id: str, max_results: int | None = None,
                   next_token: str | None = None) -> tuple[Finding, list[dict], str | None]:
    """(the finding, this page of its FindingDetails, the next page's token)."""
    analyzer = analyzer_at(caller, "GetFinding", analyzer_arn)
    finding = _finding(analyzer, id)
    details, token = page(finding.details, next_token=next_token, max_results=max_results)
    return finding, with_timestamps(details), token


@iam_operation("UpdateFindings", event_source=EVENT_SOURCE)
def update_findings(*, caller: Caller, analyzer_arn: str, status: str, ids: list[str] | None = None,
                    resource_arn: str | None = None, client_token: str | None = None) -> int:
    """Archive or unarchive findings named by id or by resource; RESOLVED ones stay resolved. The number changed."""
    analyzer = analyzer_at(caller, "UpdateFindings", analyzer_arn)
    if status not in (Finding.Status.ACTIVE, Finding.Status.ARCHIVED):
        raise invalid("status", "status is ACTIVE or ARCHIVED.")
    if not ids and not resource_arn:
        raise invalid("ids", "Name the findings to update: ids or resourceArn.")
    rows = Finding.objects.filter(analyzer=analyzer)
    if ids:
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise invalid("ids", "ids is a list of finding ids.")
        found = {str(pk) for pk in rows.filter(id__in=[_uuid_or_none(i) for i in ids if _uuid_or_none(i)])
                 .values_list("id", flat=True)}
        missing = [item for item in ids if str(_uuid_or_none(item)) not in found]
        if missing:
            raise not_found(missing[0], FINDING_RESOURCE, f"Finding {missing[0]} does not exist on analyzer "
                                                          f"{analyzer.name}.")
        rows = rows.filter(id__in=list(found))
    if resource_arn:
        if not isinstance(resource_arn, str) or not RESOURCE_ARN.fullmatch(resource_arn):
            raise invalid("resourceArn", "resourceArn must be an ARN.")
        rows = rows.filter(resource=resource_arn)
    return (rows.exclude(status=Finding.Status.RESOLVED).exclude(status=status)
            .update(status=status, updated_at=timezone.now()))


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@iam_operation("GetFindingsStatistics", event_source=EVENT_SOURCE)
def get_findings_statistics(*, caller: Caller, analyzer_arn: str) -> dict:
    """FindingsStatistics of the analyzer, from one grouped count, and when its findings last changed."""
    analyzer = analyzer_at(caller, "GetFindingsStatistics", analyzer_arn)
    rows = Finding.objects.filter(analyzer=analyzer)
    groups = list(rows.values("status", "finding_type", "resource_type", "resource_owner_account", "is_public")
                  .annotate(n=Count("id")))
    totals = defaultdict(int)
    for group in groups:
        totals[group["status"]] += group["n"]
    common = {"totalActiveFindings": totals[Finding.Status.ACTIVE],
              "totalArchivedFindings": totals[Finding.Status.ARCHIVED],
              "totalResolvedFindings": totals[Finding.Status.RESOLVED]}
    active = [group for group in groups if group["status"] == Finding.Status.ACTIVE]
    if analyzer.is_unused_access:
        by_type: dict[str, int] = defaultdict(int)
        by_account: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for group in active:
            by_type[group["finding_type"]] += group["n"]
            by_account[group["resource_owner_account"]][group["finding_type"]] += group["n"]
        top = sorted(by_account.items(), key=lambda item: -sum(item[1].values()))[:10]
        statistics = {"unusedAccessFindingsStatistics": {
            **common,
            "unusedAccessTypeStatistics": [{"unusedAccessType": name, "total": total}
                                           for name, total in sorted(by_type.items())],
            "topAccounts": [{"account": account, "numberOfActiveFindings": sum(counts.values()),
                             "details": dict(counts)} for account, counts in top]}}
    else:
        by_resource: dict[str, dict[str, int]] = defaultdict(lambda: {"totalActivePublic": 0,
                                                                     "totalActiveCrossAccount": 0,
                                                                     "totalActiveErrors": 0})
        for group in active:
            figures = by_resource[group["resource_type"]]
            figures["totalActivePublic" if group["is_public"] else "totalActiveCrossAccount"] += group["n"]
        statistics = {"externalAccessFindingsStatistics": {**common, "resourceTypeStatistics": dict(by_resource)}}
    last = rows.aggregate(last=Max("updated_at"))["last"]
    return {"findingsStatistics": [statistics], "lastUpdatedAt": last}


@iam_operation("StartResourceScan", event_source=EVENT_SOURCE)
def start_resource_scan(*, caller: Caller, analyzer_arn: str, resource_arn: str,
                        resource_owner_account: str | None = None) -> None:
    """Evaluate the analyzer again soon, on a worker."""
    analyzer = analyzer_at(caller, "StartResourceScan", analyzer_arn)
    if not isinstance(resource_arn, str) or not RESOURCE_ARN.fullmatch(resource_arn):
        raise invalid("resourceArn", "resourceArn must be an ARN.")
    scheduling.evaluate_soon(analyzer.pk)
