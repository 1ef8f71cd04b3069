"""CreateAccessPreview, GetAccessPreview, ListAccessPreviews, ListAccessPreviewFindings: what proposed resource
policies would let in from outside the zone of trust, before they are deployed (policy validators in CI ask)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from analyzers import filters
from analyzers.access import EVENT_SOURCE, analyzer_at
from analyzers.errors import invalid, not_found
from analyzers.models import AccessPreview, Analyzer, Finding
from analyzers.paging import page
from analyzers.previews import RESOURCE_TYPES, InvalidConfiguration, preview_findings
from iam_console.callers import Caller
from iam_console.operations import iam_operation

ACCESS_PREVIEW_RESOURCE = "AWS::AccessAnalyzer::AccessPreview"
INVALID_CONFIGURATION = "INVALID_CONFIGURATION"
RESOURCE_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:[^:]*:.+")
MAX_CLIENT_TOKEN = 64


def _configurations(value: object) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise invalid("configurations", "configurations must hold exactly one resource: its ARN and its proposed "
                                        "access control configuration.")
    ((arn, configuration),) = value.items()
    if not isinstance(arn, str) or len(arn) > 2048 or not RESOURCE_ARN.fullmatch(arn):
        raise invalid("configurations", "Each key of configurations is the ARN of the resource, "
                                        "arn:partition:service:region:account:resource.")
    if not isinstance(configuration, Mapping) or len(configuration) != 1:
        raise invalid("configurations", "A configuration names one kind of resource (iamRole, s3Bucket, …).")
    ((kind, settings),) = configuration.items()
    if kind not in RESOURCE_TYPES:
        raise invalid("configurations", f"A configuration names one of {', '.join(RESOURCE_TYPES)}.")
    if settings is not None and not isinstance(settings, Mapping):
        raise invalid("configurations", f"The {kind} configuration must be a structure.")
    return {arn: {kind: dict(settings or {})}}


def _preview_at(caller: Caller, operation: str, analyzer_arn: str, preview_id: object) -> AccessPreview:
    analyzer = analyzer_at(caller, operation, analyzer_arn)
    try:
        key = uuid.UUID(str(preview_id))
    except ValueError:
        key = None
    preview = AccessPreview.objects.filter(analyzer=analyzer, id=key).first() if key is not None else None
    if preview is None:
        raise not_found(str(preview_id), ACCESS_PREVIEW_RESOURCE,
                        f"Access preview {preview_id} does not exist for analyzer {analyzer_arn}.")
    return preview


@iam_operation("CreateAccessPreview", event_source=EVENT_SOURCE)
def create_access_preview(*, caller: Caller, analyzer_arn: str, configurations: object,
                          client_token: str | None = None) -> AccessPreview:
    """The preview is worked out before this answers, so it is COMPLETED (or FAILED: a policy that cannot be read
    is INVALID_CONFIGURATION) on the first GetAccessPreview."""
    analyzer = analyzer_at(caller, "CreateAccessPreview", analyzer_arn)
    if analyzer.type != Analyzer.Type.ACCOUNT or analyzer.status != Analyzer.Status.ACTIVE:
        raise invalid("analyzerArn", "Access previews are made by an ACTIVE analyzer of type ACCOUNT.",
                      reason="notSupported")
    proposal = _configurations(configurations)
    token = (client_token or "")[:MAX_CLIENT_TOKEN]
    if token:
        earlier = AccessPreview.objects.filter(analyzer=analyzer, client_token=token).first()
        if earlier is not None:
            return earlier  # the same request retried: its preview, not a second one
    now = timezone.now()
    try:
        findings, status, reason = preview_findings(analyzer, proposal, now), AccessPreview.Status.COMPLETED, ""
    except InvalidConfiguration:
        findings, status, reason = [], AccessPreview.Status.FAILED, INVALID_CONFIGURATION
    return AccessPreview.objects.create(analyzer=analyzer, configurations=proposal, status=status,
                                        status_reason=reason, findings=findings, client_token=token,
                                        created_at=now)


@iam_operation("GetAccessPreview", event_source=EVENT_SOURCE)
def get_access_preview(*, caller: Caller, analyzer_arn: str, access_preview_id: str) -> AccessPreview:
    return _preview_at(caller, "GetAccessPreview", analyzer_arn, access_preview_id)


@iam_operation("ListAccessPreviews", event_source=EVENT_SOURCE)
def list_access_previews(*, caller: Caller, analyzer_arn: str, next_token: str | None = None,
                         max_results: int | None = None) -> tuple[list[AccessPreview], str | None]:
    analyzer = analyzer_at(caller, "ListAccessPreviews", analyzer_arn)
    rows = AccessPreview.objects.filter(analyzer=analyzer).order_by("created_at", "id")
    return page(rows, next_token=next_token, max_results=max_results)


@iam_operation("ListAccessPreviewFindings", event_source=EVENT_SOURCE)
def list_access_preview_findings(*, caller: Caller, analyzer_arn: str, access_preview_id: str,
                                 filter: dict | None = None, next_token: str | None = None,
                                 max_results: int | None = None) -> tuple[list[dict], str | None]:
    preview = _preview_at(caller, "ListAccessPreviewFindings", analyzer_arn, access_preview_id)
    if preview.status != AccessPreview.Status.COMPLETED:
        raise invalid("accessPreviewId", f"Access preview {preview.id} is {preview.status}: only a completed "
                                         "preview has findings.", reason="notSupported")
    criteria = filters.validate(filter)
    findings = [item for item in preview.findings if _matches(preview.analyzer, item, criteria)]
    return page(findings, next_token=next_token, max_results=max_results)


def _matches(analyzer: Analyzer, item: Mapping[str, Any], criteria: Mapping[str, Mapping]) -> bool:
    if not criteria:
        return True
    candidate = Finding(analyzer=analyzer, resource=item["resource"], resource_type=item["resourceType"],
                        resource_owner_account=item["resourceOwnerAccount"], status=item["status"],
                        finding_type=Finding.Type.EXTERNAL_ACCESS, principal=item.get("principal") or {},
                        action=item.get("action") or [], condition=item.get("condition") or {},
                        is_public=item.get("isPublic"))
    return filters.matches(candidate, criteria)
