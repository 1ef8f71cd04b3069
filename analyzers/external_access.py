"""External access findings: the roles of an analyzer's zone of trust whose trust policies let in principals outside
it, one finding per (role, principal), made to match what the trust policies grant now."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

from analyzers.models import Analyzer, Finding
from analyzers.reconcile import Observed, Outcome, reconcile
from analyzers.trust_access import ROLE_RESOURCE_TYPE, ExternalAccess, analyze_trust_policy
from analyzers.zones import ACCOUNT, ORGANIZATION, ZoneOfTrust, load_zone
from directory.models import Role
from policies.guardrail_loading import account_guardrails

EXTERNAL_ACCESS_ANALYZERS = (Analyzer.Type.ACCOUNT, Analyzer.Type.ORGANIZATION)
_DETAIL_KEY_MAX = 255
_ROLES_PER_FETCH = 2000


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
    Roles sharing a trust policy (and, where RCPs apply, an ARN's account) are analysed once."""
    roles = (Role.objects.filter(account_id__in=sorted(zone.account_ids))
             .only("id", "account_id", "path", "role_name", "assume_role_policy_document").order_by("id"))
    rcps_of: dict[str, tuple] = {}  # type: ignore[type-arg]
    memo: dict[tuple[str, str], list[ExternalAccess]] = {}
    for role in roles.iterator(chunk_size=_ROLES_PER_FETCH):
        if role.account_id not in rcps_of:
            guardrails = account_guardrails(role.account_id)
            rcps_of[role.account_id] = guardrails.rcps if guardrails is not None else ()
        rcps = rcps_of[role.account_id]
        arn = role.arn
        if seen is not None:
            seen[:] = [arn]
        # Without RCPs a trust policy (which names no resource) grants the same whatever role carries it.
        memo_key = (role.assume_role_policy_document, arn if rcps else role.account_id)
        if memo_key not in memo:
            memo[memo_key] = analyze_trust_policy(role.assume_role_policy_document, role_arn=arn, zone=zone,
                                                  rcps=rcps)
        for access in memo[memo_key]:
            yield Observed(resource=arn, resource_type=ROLE_RESOURCE_TYPE, resource_owner_account=role.account_id,
                           finding_type=Finding.Type.EXTERNAL_ACCESS, detail_key=detail_key(access),
                           details=[{"externalAccessDetails": external_access_details(access)}],
                           principal=access.principal, action=list(access.actions), condition=access.condition,
                           is_public=access.is_public)


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
