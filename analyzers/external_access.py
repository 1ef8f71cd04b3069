"""External access findings: the roles of an analyzer's zone of trust whose trust policies let in principals outside
it, one finding per (role, principal), made to match what the trust policies grant now."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime

from analyzers.models import Analyzer, Finding
from analyzers.reconcile import Observed, Outcome, reconcile
from analyzers.trust_access import ROLE_RESOURCE_TYPE, ExternalAccess, analyze_trust_policy
from analyzers.zones import ACCOUNT, ORGANIZATION, ZoneOfTrust, load_zone
from directory.models import Role
from policies.guardrail_loading import account_guardrails

logger = logging.getLogger(__name__)

EXTERNAL_ACCESS_ANALYZERS = (Analyzer.Type.ACCOUNT, Analyzer.Type.ORGANIZATION)
_DETAIL_KEY_MAX = 255
_ROLES_PER_FETCH = 2000
_MEMO_MAX = 10_000  # distinct (trust policy, scope) results kept during one evaluation
# An analysis that failed: AWS's error finding, one per resource.
INTERNAL_ERROR = "INTERNAL_ERROR"
ERROR_DETAIL_KEY = "error"


def analyzer_zone(analyzer: Analyzer) -> ZoneOfTrust:
    return load_zone(ORGANIZATION if analyzer.type == Analyzer.Type.ORGANIZATION else ACCOUNT, analyzer.account_id)


def detail_key(access: ExternalAccess) -> str:
    """The principal's key, or its digest where an ARN is too long to be a key."""
    key = access.key
    return key if len(key) <= _DETAIL_KEY_MAX else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def external_access_details(access: ExternalAccess) -> dict:
    """ExternalAccessDetails, as FindingDetails carries it."""
    return {"principal": access.principal, "action": list(access.actions), "condition": access.condition,
            "isPublic": access.is_public, "resourceControlPolicyRestriction": access.rcp_restriction}


def observe_roles(zone: ZoneOfTrust, seen: list[str] | None = None) -> Iterator[Observed]:
    """What every role of the zone's accounts grants outside it; ``seen`` ends holding the last role's ARN.
    Roles sharing a trust policy (and, where RCPs apply, an ARN's account) are analysed once. A role whose
    analysis fails gets an error finding (INTERNAL_ERROR, as AWS reports one) and the others are analysed still."""
    roles = (Role.objects.filter(account_id__in=sorted(zone.account_ids))
             .only("id", "account_id", "path", "role_name", "assume_role_policy_document").order_by("id"))
    rcps_of: dict[str, tuple] = {}  # type: ignore[type-arg]
    memo: dict[tuple[bytes, str], list[ExternalAccess] | None] = {}
    for role in roles.iterator(chunk_size=_ROLES_PER_FETCH):
        if role.account_id not in rcps_of:
            guardrails = account_guardrails(role.account_id)
            rcps_of[role.account_id] = guardrails.rcps if guardrails is not None else ()
        rcps = rcps_of[role.account_id]
        arn = role.arn
        if seen is not None:
            seen[:] = [arn]
        document = role.assume_role_policy_document
        # Without RCPs a trust policy (which names no resource) grants the same whatever role carries it.
        memo_key = (hashlib.sha256(document.encode()).digest(), arn if rcps else role.account_id)
        if memo_key not in memo:
            if len(memo) >= _MEMO_MAX:
                memo.clear()
            memo[memo_key] = _analysed(document, arn, zone, rcps)
        found = memo[memo_key]
        if found is None:
            yield Observed(resource=arn, resource_type=ROLE_RESOURCE_TYPE, resource_owner_account=role.account_id,
                           finding_type=Finding.Type.EXTERNAL_ACCESS, detail_key=ERROR_DETAIL_KEY,
                           details=[{"externalAccessDetails": {}}], error=INTERNAL_ERROR)
            continue
        for access in found:
            yield Observed(resource=arn, resource_type=ROLE_RESOURCE_TYPE, resource_owner_account=role.account_id,
                           finding_type=Finding.Type.EXTERNAL_ACCESS, detail_key=detail_key(access),
                           details=[{"externalAccessDetails": external_access_details(access)}],
                           principal=access.principal, action=list(access.actions), condition=access.condition,
                           is_public=access.is_public)


def _analysed(document: str, arn: str, zone: ZoneOfTrust, rcps: tuple) -> list[ExternalAccess] | None:  # type: ignore[type-arg]
    """The trust policy's external access, or None when its analysis failed (logged)."""
    try:
        return analyze_trust_policy(document, role_arn=arn, zone=zone, rcps=rcps)
    except Exception:  # noqa: BLE001 - one role's failure is its error finding, not the whole analyzer's
        logger.exception("the trust policy of %s could not be analysed", arn)
        return None


def evaluate(analyzer: Analyzer, *, now: datetime | None = None) -> Outcome:
    """Bring the analyzer's external access findings up to date: new access found (archived at once where an
    archive rule matches), changed access refreshed (an archived finding stays archived), access gone RESOLVED.
    Run it inside the analyzer's transaction."""
    if analyzer.type not in EXTERNAL_ACCESS_ANALYZERS:
        return Outcome(created=0, updated=0, resolved=0)
    seen: list[str] = []
    outcome = reconcile(analyzer, observe_roles(analyzer_zone(analyzer), seen),
                        finding_types=[Finding.Type.EXTERNAL_ACCESS], now=now)
    if seen:  # GetAnalyzer's lastResourceAnalyzed
        Analyzer.objects.filter(pk=analyzer.pk).update(last_resource_analyzed=seen[0][:2048])
    return outcome
