"""ListAnalyzedResources and GetAnalyzedResource: the roles an external access analyzer has analysed, and what its
findings say of each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from analyzers.access import EVENT_SOURCE, analyzer_at
from analyzers.errors import invalid, not_found
from analyzers.external_access import EXTERNAL_ACCESS_ANALYZERS, analyzer_zone
from analyzers.models import Analyzer, Finding
from analyzers.paging import page
from analyzers.trust_access import ROLE_RESOURCE_TYPE, TRUST_ACTIONS
from directory.models import Role
from iam_console import identifiers
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from policies.language.arn import parse_arn

ANALYZED_RESOURCE = "AWS::AccessAnalyzer::AnalyzedResource"


@dataclass(frozen=True)
class AnalyzedResource:
    """AnalyzedResource: a role of the zone, and its external access as the analyzer's open findings tell it."""

    resource_arn: str
    resource_owner_account: str
    created_at: datetime
    analyzed_at: datetime
    updated_at: datetime
    is_public: bool = False
    actions: list[str] = field(default_factory=list)
    status: str | None = None  # of its findings: ACTIVE when any is, else ARCHIVED when any is


def _external_analyzer(caller: Caller, operation: str, analyzer_arn: str) -> Analyzer:
    analyzer = analyzer_at(caller, operation, analyzer_arn)
    if analyzer.type not in EXTERNAL_ACCESS_ANALYZERS:
        raise invalid("analyzerArn", f"{operation} serves external access analyzers (type ACCOUNT or "
                                     "ORGANIZATION); this analyzer reports unused access.", reason="notSupported")
    return analyzer


def _analyzed_roles(analyzer: Analyzer) -> QuerySet[Role]:
    """The zone's roles the last evaluation saw: none before the first."""
    if analyzer.last_resource_analyzed_at is None:
        return Role.objects.none()
    return Role.objects.filter(account_id__in=sorted(analyzer_zone(analyzer).account_ids),
                               create_date__lte=analyzer.last_resource_analyzed_at)


@iam_operation("ListAnalyzedResources", event_source=EVENT_SOURCE)
def list_analyzed_resources(*, caller: Caller, analyzer_arn: str, resource_type: str | None = None,
                            next_token: str | None = None, max_results: int | None = None
                            ) -> tuple[list[tuple[str, str, str]], str | None]:
    """(resourceArn, resourceOwnerAccount, resourceType) of each analysed resource, a page at a time."""
    analyzer = _external_analyzer(caller, "ListAnalyzedResources", analyzer_arn)
    roles = _analyzed_roles(analyzer) if resource_type in (None, ROLE_RESOURCE_TYPE) else Role.objects.none()
    rows, token = page(roles.only("account_id", "path", "role_name").order_by("account_id", "role_name_key", "id"),
                       next_token=next_token, max_results=max_results)
    return [(role.arn, role.account_id, ROLE_RESOURCE_TYPE) for role in rows], token


def _role_at(analyzer: Analyzer, resource_arn: str) -> Role | None:
    parsed = parse_arn(resource_arn) if isinstance(resource_arn, str) else None
    if parsed is None or parsed.service != "iam" or not parsed.resource.startswith("role/"):
        return None
    name = parsed.resource.rsplit("/", 1)[-1]
    role = _analyzed_roles(analyzer).filter(account_id=parsed.account, role_name_key=name.lower()).first()
    return role if role is not None and role.arn == resource_arn else None


@iam_operation("GetAnalyzedResource", event_source=EVENT_SOURCE)
def get_analyzed_resource(*, caller: Caller, analyzer_arn: str, resource_arn: str) -> AnalyzedResource:
    analyzer = _external_analyzer(caller, "GetAnalyzedResource", analyzer_arn)
    role = _role_at(analyzer, resource_arn)
    if role is None:
        raise not_found(str(resource_arn), ANALYZED_RESOURCE,
                        f"Analyzer {analyzer.name} has not analysed a resource {resource_arn}: name a role of its "
                        f"zone of trust, as {identifiers.role_arn(analyzer.account_id, '/', '<name>')}.")
    analyzed_at = analyzer.last_resource_analyzed_at
    findings = list(Finding.objects.filter(analyzer=analyzer, finding_type=Finding.Type.EXTERNAL_ACCESS,
                                           resource=role.arn).only("status", "action", "is_public", "created_at",
                                                                   "updated_at"))
    open_ = [f for f in findings if f.status != Finding.Status.RESOLVED]
    statuses = {f.status for f in open_}
    granted = {action for f in open_ for action in f.action}
    return AnalyzedResource(
        resource_arn=role.arn, resource_owner_account=role.account_id,
        created_at=min((f.created_at for f in findings), default=analyzed_at),
        analyzed_at=analyzed_at, updated_at=max((f.updated_at for f in findings), default=analyzed_at),
        is_public=any(f.is_public for f in open_),
        actions=[a for a in TRUST_ACTIONS if a in granted],
        status=Finding.Status.ACTIVE if Finding.Status.ACTIVE in statuses else
        Finding.Status.ARCHIVED if statuses else None)
