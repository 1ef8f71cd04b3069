"""A least-privilege identity policy from the decision record: what a user or role was allowed in a period.

The evidence (ActionUsage) keeps, per action, how many decisions were allowed and the last one, not each request
nor its resource. So:
- an action is in the period when its last allowed use is; an action used again after the period's end may or
  may not have been used in it: the audit trail settles it where it holds the action's successes (every write,
  every decision asked by another service), else the action is left out and the result says it is not complete;
- a statement names resources only where the audit trail names the resource of every allowed use of each of its
  actions (its event count covers the decision count, and none of its events lacks resources); else "*".
Denied attempts are never added: the policy allows every recorded allowed request, and a denied one only where it
shares an action (and, with "*", its resource) with an allowed one.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import Lower

from audit.models import AuditEvent
from evidence.models import ActionUsage
from policies.catalogue import ensure_catalogue_loaded
from policies.language import SIZE_LIMITS
from policies.language.actions import RESOURCE_TYPES, lookup

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class Principal:
    """The user or role whose decisions are read: its evidence key and how the audit trail names its actors."""

    account_id: str
    entity_type: str  # "user" or "role", as ActionUsage names them
    entity_id: str  # AIDA… or AROA…; a role's sessions act as "AROA…:session-name"


@dataclass(frozen=True)
class Generated:
    statements: list[dict]  # [{"service", "actions": [names], "resources": [arns] or None for "*"}], by service
    is_complete: bool

    def as_json(self) -> dict:
        return {"statements": self.statements, "isComplete": self.is_complete}


def _actor(principal: Principal) -> Q:
    if principal.entity_type == "role":
        return Q(actor_user_id__startswith=f"{principal.entity_id}:")
    return Q(actor_user_id=principal.entity_id)


def _trail(principal: Principal, keys: set[tuple[str, str]]):
    """The principal's successful audit events of the given (service, action lower) keys."""
    sources = {source for service, _ in keys for source in (service, f"{service}.amazonaws.com")}
    names = {action for _, action in keys}
    return (AuditEvent.objects.filter(_actor(principal), account_id=principal.account_id,
                                      outcome=AuditEvent.Outcome.SUCCESS, event_source__in=sources)
            .annotate(name_lower=Lower("event_name")).filter(name_lower__in=names))


def _service_of(source: str) -> str:
    return source.removesuffix(".amazonaws.com")


def build(principal: Principal, start: datetime, end: datetime) -> Generated:
    """The statements, one per service, of what `principal` was allowed between `start` and `end`."""
    rows = list(ActionUsage.objects.filter(account_id=principal.account_id, entity_type=principal.entity_type,
                                           entity_id=principal.entity_id, allowed=True, last_at__gte=start))
    if not rows:
        return Generated([], True)
    keys = {(row.service, row.action.lower()) for row in rows}
    trail = _trail(principal, keys)
    # (service, action lower) -> [events, events naming no resource], over all time: do they cover every decision?
    coverage = {(_service_of(source), name): (total, bare) for source, name, total, bare in
                trail.values_list("event_source", "name_lower")
                .annotate(total=Count("id"), bare=Count("id", filter=Q(resources=[])))}
    in_period: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, name, resources in (trail.filter(event_time__gte=start, event_time__lte=end)
                                    .values_list("event_source", "name_lower", "resources").distinct()):
        in_period[(_service_of(source), name)].update(resources)
    used: dict[str, dict[str, list[str] | None]] = defaultdict(dict)  # service -> action -> resources
    complete = True
    for row in rows:
        key = (row.service, row.action.lower())
        if row.last_at > end and key not in in_period:
            complete = False  # used after the period; whether also in it, nothing on record can tell
            continue
        total, bare = coverage.get(key, (0, 0))
        covered = total >= row.count and bare == 0 and in_period.get(key)
        used[row.service][_canonical(row.service, row.action)] = sorted(in_period[key]) if covered else None
    statements = []
    for service in sorted(used):
        actions = used[service]
        resources: set[str] | None = set()
        for names in actions.values():
            resources = None if names is None or resources is None else resources | set(names)
        statements.append({"service": service, "actions": sorted(actions),
                           "resources": sorted(resources) if resources is not None else None})
    return Generated(statements, complete)


def _canonical(service: str, action: str) -> str:
    """The catalogue's spelling of an action (decisions keep the case the request used)."""
    info = lookup(f"{service}:{action}")
    return info.name if info is not None else action


def _sid(service: str, suffix: str = "") -> str:
    words = re.split(r"[^A-Za-z0-9]+", service)
    return "".join(word[:1].upper() + word[1:] for word in words if word) + "Access" + suffix


def placeholder(resource_type: str) -> str | None:
    """An ARN to fill in for a resource type: arn:${Partition}:iam::${Account}:user/${UserNameWithPath}."""
    info = RESOURCE_TYPES.get(resource_type)
    if info is None:
        return None
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", resource_type.split(":")[-1]))
    account = "${Account}" if info.arn_service in ("iam", "sts") else ""
    tail = "" if not info.resource_prefix.endswith("/") else f"${{{name}NameWithPath}}"
    return f"arn:${{Partition}}:{info.arn_service}::{account}:{info.resource_prefix}{tail}"


def _statements(statements: list[dict], *, resource_placeholders: bool) -> list[dict]:
    """The policy statements of stored ones. With placeholders, a statement allowed on "*" splits: the actions that
    name resource types get their ARN templates to fill in, the others keep "*"."""
    ensure_catalogue_loaded()
    out = []
    for statement in statements:
        service, actions, resources = statement["service"], statement["actions"], statement["resources"]
        full = [f"{service}:{action}" for action in actions]
        if resources is not None:
            out.append({"Sid": _sid(service), "Effect": "Allow", "Action": full, "Resource": resources})
            continue
        templates: dict[str, list[str]] = {}
        if resource_placeholders:
            for name in full:
                info = lookup(name)
                arns = sorted({arn for kind in (info.resource_types if info else ()) if (arn := placeholder(kind))})
                if arns:
                    templates[name] = arns
        everywhere = [name for name in full if name not in templates]
        if templates:
            out.append({"Sid": _sid(service), "Effect": "Allow", "Action": sorted(templates),
                        "Resource": sorted({arn for arns in templates.values() for arn in arns})})
        if everywhere:
            out.append({"Sid": _sid(service, "AllResources" if templates else ""), "Effect": "Allow",
                        "Action": everywhere, "Resource": "*"})
    return out


def _size(statement: dict) -> int:
    """Its characters in a policy, whitespace excluded, as IAM counts a policy's size."""
    return sum(1 for char in json.dumps(statement, separators=(",", ":")) if char not in " \t\n\r")


_FRAME = len(json.dumps({"Version": POLICY_VERSION, "Statement": []}, separators=(",", ":")))


def _fitting(statement: dict, limit: int) -> list[dict]:
    """The statement, or its actions in numbered parts that each fit a policy of their own. Resources too many for
    even one action become "*": broader, but never narrower than what was used."""
    if _FRAME + _size(statement) <= limit:
        return [statement]
    if _FRAME + _size({**statement, "Action": statement["Action"][:1]}) > limit:
        statement = {**statement, "Resource": "*"}
        if _FRAME + _size(statement) <= limit:
            return [statement]
    parts: list[dict] = []
    actions: list[str] = []
    for action in statement["Action"]:
        candidate = {**statement, "Sid": f"{statement['Sid']}{len(parts) + 1}", "Action": [*actions, action]}
        if actions and _FRAME + _size(candidate) > limit:
            parts.append({**statement, "Sid": f"{statement['Sid']}{len(parts) + 1}", "Action": actions})
            actions = []
        actions.append(action)
    parts.append({**statement, "Sid": f"{statement['Sid']}{len(parts) + 1}", "Action": actions})
    return parts


def policy_documents(statements: list[dict], *, resource_placeholders: bool = False,
                     limit: int = SIZE_LIMITS["managed"]) -> list[dict]:
    """The identity policies of stored statements: one, or as few as hold them within a managed policy's size."""
    documents: list[list[dict]] = []
    size = limit  # no document open yet
    for statement in _statements(statements, resource_placeholders=resource_placeholders):
        for part in _fitting(statement, limit):
            if size + 1 + _size(part) > limit:
                documents.append([])
                size = _FRAME - 1
            documents[-1].append(part)
            size += 1 + _size(part)
    return [{"Version": POLICY_VERSION, "Statement": document} for document in documents]


def policy_texts(statements: list[dict], *, resource_placeholders: bool = False) -> list[str]:
    return [json.dumps(document, indent=2)
            for document in policy_documents(statements, resource_placeholders=resource_placeholders)]
